/** The screen's drawn icons (inline SVG: the CSP allows no remote images). */

export function UndoIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M9 5 4 10l5 5" />
      <path d="M4 10h10a6 6 0 0 1 0 12h-3" />
    </svg>
  );
}

export function SwapIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M4 8h15M15 4l4 4-4 4" />
      <path d="M20 16H5M9 12l-4 4 4 4" />
    </svg>
  );
}

export function LockIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true">
      <rect x="5" y="11" width="14" height="10" rx="2" />
      <path d="M8 11V8a4 4 0 0 1 8 0v3" />
    </svg>
  );
}

/** A card and a phone with a QR code: what to hold up, understood without reading. */
export function PromptIcon() {
  return (
    <svg className="prompt__icon" viewBox="0 0 120 80" aria-hidden="true">
      <rect x="4" y="14" width="62" height="42" rx="6" className="icon-card" />
      <rect x="12" y="24" width="18" height="12" rx="2" className="icon-chip" />
      <rect x="12" y="44" width="40" height="4" rx="2" className="icon-chip" />
      <rect x="74" y="4" width="42" height="72" rx="7" className="icon-phone" />
      <rect x="81" y="16" width="28" height="28" rx="2" className="icon-screen" />
      <rect x="84" y="19" width="8" height="8" className="icon-qr" />
      <rect x="98" y="19" width="8" height="8" className="icon-qr" />
      <rect x="84" y="33" width="8" height="8" className="icon-qr" />
      <rect x="97" y="32" width="4" height="4" className="icon-qr" />
      <rect x="102" y="37" width="4" height="4" className="icon-qr" />
    </svg>
  );
}

/** A card held over a reader: the one thing to do now. */
export function CardIcon() {
  return (
    <svg className="enroll__icon" viewBox="0 0 120 80" aria-hidden="true">
      <rect x="20" y="46" width="80" height="28" rx="6" className="icon-reader" />
      <rect x="30" y="6" width="60" height="38" rx="5" className="icon-card" transform="rotate(-8 60 25)" />
      <rect x="38" y="14" width="14" height="10" rx="2" className="icon-chip" transform="rotate(-8 60 25)" />
    </svg>
  );
}
