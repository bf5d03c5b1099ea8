import { useCallback, useState } from 'react';
import { createPortal } from 'react-dom';
import { ADMIN_PEOPLE_TEST_IDS as T } from '../../../protocol/admin-dashboard.ts';
import type { AdminGuardianQr } from '../../../protocol/admin.ts';
import type { Messages } from './messages.ts';
import { Modal, svgDataUrl, useEscape } from './Modal.tsx';

/**
 * The print view of one card: a page of its own (a child of <body>, so that the print stylesheet can hide
 * everything else) holding the card at card size (91 × 55 mm, `@page qr-card` in styles.css). The
 * browser's print dialog opens once the card's image has loaded.
 */
function PrintView({
  card,
  alt,
  m,
  onClose,
}: {
  card: AdminGuardianQr;
  alt: string;
  m: Messages;
  onClose: () => void;
}) {
  const q = m.qr;
  return createPortal(
    <div className="qr-print" data-testid={T.qrPrintView} lang={m.intlLocale.slice(0, 2)}>
      <div className="qr-print-toolbar">
        <p>{q.printHelp}</p>
        <button
          type="button"
          className="primary"
          onClick={() => {
            window.print();
          }}
        >
          {q.printNow}
        </button>
        <button type="button" onClick={onClose}>
          {q.back}
        </button>
      </div>
      <figure className="qr-print-card" data-testid={T.qrPrintCard} data-guardian-id={card.guardianId}>
        <img
          src={svgDataUrl(card.svg)}
          alt={alt}
          onLoad={() => {
            window.print();
          }}
        />
      </figure>
    </div>,
    document.body,
  );
}

/**
 * The card just issued, in a dialog over the page where the director clicked (not below the guardian list):
 * the card, its expiry, saving it as SVG, and 印刷 for the one-card print view. Escape or 閉じる closes it.
 * Keeps the `guardian-qr-card` hook (with data-guardian-id) on the card.
 */
export function QrCardDialog({
  card,
  guardianName,
  m,
  onClose,
}: {
  card: AdminGuardianQr;
  guardianName: string;
  m: Messages;
  onClose: () => void;
}) {
  const [printing, setPrinting] = useState(false);
  const r = m.roster;
  const q = m.qr;

  useEscape(
    useCallback(() => {
      if (printing) setPrinting(false);
      else onClose();
    }, [printing, onClose]),
  );

  const alt = `${r.qrCardAlt}: ${guardianName}`;
  return (
    <>
      <Modal
        titleId="qr-card-dialog-title"
        title={q.dialogTitle(guardianName)}
        testId={T.qrCardDialog}
        guardianId={card.guardianId}
      >
        <figure className="qr-card" data-testid="guardian-qr-card" data-guardian-id={card.guardianId}>
          <img src={svgDataUrl(card.svg)} alt={alt} />
          <figcaption>
            {r.qrCardNote(card.expiresAt.slice(0, 10))}{' '}
            <a href={svgDataUrl(card.svg)} download={`qr-${card.guardianId}.svg`}>
              {r.download}
            </a>
          </figcaption>
        </figure>
        <div className="row">
          <button
            type="button"
            className="primary"
            data-testid={T.qrCardPrint}
            onClick={() => {
              setPrinting(true);
            }}
          >
            {q.print}
          </button>
          <button type="button" data-testid={T.qrCardClose} onClick={onClose}>
            {q.close}
          </button>
        </div>
      </Modal>
      {printing && (
        <PrintView
          card={card}
          alt={alt}
          m={m}
          onClose={() => {
            setPrinting(false);
          }}
        />
      )}
    </>
  );
}
