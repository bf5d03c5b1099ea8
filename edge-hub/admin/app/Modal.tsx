import { useEffect, type ReactNode } from 'react';

/** An SVG document as an <img> source. */
export const svgDataUrl = (svg: string): string =>
  `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

/** Calls `onEscape` when Escape is pressed anywhere on the page, while the caller is mounted. */
export function useEscape(onEscape: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onEscape();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
    };
  }, [onEscape]);
}

/**
 * A modal dialog over the page (styles.css .modal-backdrop / .modal), titled by its heading for screen
 * readers; `testId` and `guardianId` (or `childId`) are the caller's hooks on the dialog element.
 */
export function Modal({
  titleId,
  title,
  testId,
  guardianId,
  childId,
  children,
}: {
  titleId: string;
  title: string;
  testId: string;
  guardianId?: string;
  childId?: string;
  children: ReactNode;
}) {
  return (
    <div className="modal-backdrop">
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        data-guardian-id={guardianId}
        data-child-id={childId}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}
