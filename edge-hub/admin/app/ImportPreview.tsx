import type { RosterPreview } from '../../../protocol/admin.ts';
import type { Messages } from './messages.ts';

/** Children shown per list of the preview; the rest are counted. */
const PREVIEW_LIST_MAX = 100;

/** What a checked roster file holds and what it changes from its effective day on. */
export function ImportPreview({ preview, m }: { preview: RosterPreview; m: Messages }) {
  const r = m.roster;
  return (
    <>
      <h3>
        {r.previewTitle} — {r.previewFrom(preview.effectiveFrom)}
      </h3>
      <dl className="counts">
        <dt>{r.classes}</dt>
        <dd>{preview.classes}</dd>
        <dt>{r.children}</dt>
        <dd>{preview.children}</dd>
        <dt>{r.guardians}</dt>
        <dd>{preview.guardians}</dd>
        <dt>{r.cards}</dt>
        <dd>{preview.credentials}</dd>
        <dt>{r.added}</dt>
        <dd>{preview.childrenAdded}</dd>
        <dt>{r.removed}</dt>
        <dd>{preview.childrenRemoved}</dd>
      </dl>
      <PreviewLists preview={preview} m={m} />
    </>
  );
}

interface PreviewItem {
  /** A child's id, or a guardian's (`guardian` set). */
  id: string;
  guardian?: boolean;
  text: string;
}

/**
 * The preview's children, then guardians, by what happens to them, named, only the lists that have someone;
 * those leaving first: a child left off the file by mistake is the costly slip.
 */
function PreviewLists({ preview, m }: { preview: RosterPreview; m: Messages }) {
  const r = m.roster;
  const care = (t: 'standard' | 'short') => r.careType[t];
  const lists: { key: string; title: string; items: PreviewItem[] }[] = [
    {
      key: 'leaving',
      title: r.removed,
      items: preview.leaving.map((c) => ({ id: c.childId, text: c.name })),
    },
    {
      key: 'moved',
      title: r.moved,
      items: preview.moved.map((c) => ({
        id: c.childId,
        text: r.childChange(c.name, r.change(c.from, c.to)),
      })),
    },
    {
      key: 'renamed',
      title: r.renamed,
      items: preview.renamed.map((c) => ({ id: c.childId, text: r.change(c.from, c.to) })),
    },
    {
      key: 'care-type',
      title: r.careTypeChanged,
      items: preview.careTypeChanged.map((c) => ({
        id: c.childId,
        text: r.childChange(c.name, r.change(care(c.from), care(c.to))),
      })),
    },
    {
      key: 'added',
      title: r.added,
      items: preview.added.map((c) => ({ id: c.childId, text: r.inClass(c.name, c.className) })),
    },
    {
      key: 'guardians-removed',
      title: r.guardiansRemoved,
      items: preview.guardiansRemoved.map((g) => ({ id: g.guardianId, guardian: true, text: g.name })),
    },
    {
      key: 'guardians-added',
      title: r.guardiansAdded,
      items: preview.guardiansAdded.map((g) => ({ id: g.guardianId, guardian: true, text: g.name })),
    },
  ].filter((l) => l.items.length > 0);
  if (lists.length === 0) return <p>{r.noChildChanges}</p>;
  return (
    <>
      {lists.map((l) => (
        <div key={l.key} data-preview={l.key} data-count={l.items.length}>
          <h4>
            {l.title} ({l.items.length})
          </h4>
          <ul>
            {l.items.slice(0, PREVIEW_LIST_MAX).map((c) => (
              <li
                key={c.id}
                data-child-id={c.guardian === true ? undefined : c.id}
                data-guardian-id={c.guardian === true ? c.id : undefined}
              >
                {c.text}
              </li>
            ))}
            {l.items.length > PREVIEW_LIST_MAX && <li>{r.more(l.items.length - PREVIEW_LIST_MAX)}</li>}
          </ul>
        </div>
      ))}
    </>
  );
}
