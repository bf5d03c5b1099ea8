import { useState } from 'react';
import { inviteParent, revokeParent, type AdminParentInvite } from './api.ts';
import type { PageProps } from './App.tsx';
import type { Messages } from './messages.ts';
import { Modal, svgDataUrl, useEscape } from './Modal.tsx';

/**
 * The invitation just made, over the page: the link's QR code for the parent's phone, the link itself
 * (to copy and send) and its expiry. Escape or 閉じる closes it; the link is not kept anywhere else.
 */
function ParentInviteDialog({
  invite,
  guardianName,
  m,
  onClose,
}: {
  invite: AdminParentInvite;
  guardianName: string;
  m: Messages;
  onClose: () => void;
}) {
  const t = m.parentApp;
  const [copied, setCopied] = useState(false);
  useEscape(onClose);

  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(invite.url);
      setCopied(true);
    } catch {
      // Without clipboard access (plain HTTP on the LAN) the link stays selectable below.
    }
  };

  return (
    <Modal
      titleId="parent-invite-dialog-title"
      title={t.dialogTitle(guardianName)}
      testId="parent-invite-dialog"
      guardianId={invite.guardianId}
    >
      <p>{t.help}</p>
      <figure className="qr-card">
        <img src={svgDataUrl(invite.svg)} alt={t.qrAlt} />
        <figcaption data-testid="parent-invite-expires">
          {t.expires(invite.expires.slice(0, 16).replace('T', ' '))}
        </figcaption>
      </figure>
      <p>
        {t.link}:{' '}
        <a href={invite.url} data-testid="parent-invite-link" target="_blank" rel="noreferrer">
          <code>{invite.url}</code>
        </a>
      </p>
      <div className="row">
        <button
          type="button"
          className="primary"
          onClick={() => {
            void copy();
          }}
        >
          {copied ? t.copied : t.copy}
        </button>
        <button type="button" data-testid="parent-invite-close" onClick={onClose}>
          {t.close}
        </button>
      </div>
    </Modal>
  );
}

/**
 * A guardian's parent-app cell in the roster's guardian table: 招待 (a new invitation, shown in a dialog)
 * and 利用停止 (after a confirmation). Hooks: `parent-invite`, `parent-revoke`, `parent-revoked`, each
 * with `data-guardian-id`; the dialog `parent-invite-dialog` with `parent-invite-link`.
 */
export function ParentAppCell({
  guardianId,
  guardianName,
  m,
  onFailure,
}: { guardianId: string; guardianName: string } & PageProps) {
  const t = m.parentApp;
  const [invite, setInvite] = useState<AdminParentInvite | null>(null);
  const [revoked, setRevoked] = useState(false);
  const [busy, setBusy] = useState(false);

  const startInvite = async (): Promise<void> => {
    setBusy(true);
    const result = await inviteParent(guardianId);
    setBusy(false);
    if (!result.ok) {
      onFailure(result.failure);
      return;
    }
    setRevoked(false);
    setInvite(result.value);
  };

  const revoke = async (): Promise<void> => {
    if (!window.confirm(t.confirmRevoke(guardianName))) return;
    setBusy(true);
    const result = await revokeParent(guardianId);
    setBusy(false);
    if (result.ok) setRevoked(true);
    else onFailure(result.failure);
  };

  return (
    <>
      <button
        type="button"
        data-testid="parent-invite"
        data-guardian-id={guardianId}
        disabled={busy}
        onClick={() => {
          void startInvite();
        }}
      >
        {t.invite}
      </button>{' '}
      <button
        type="button"
        data-testid="parent-revoke"
        data-guardian-id={guardianId}
        disabled={busy}
        onClick={() => {
          void revoke();
        }}
      >
        {t.revoke}
      </button>
      {revoked && (
        <span data-testid="parent-revoked" data-guardian-id={guardianId}>
          {' '}
          {t.revoked}
        </span>
      )}
      {invite !== null && (
        <ParentInviteDialog
          invite={invite}
          guardianName={guardianName}
          m={m}
          onClose={() => {
            setInvite(null);
          }}
        />
      )}
    </>
  );
}
