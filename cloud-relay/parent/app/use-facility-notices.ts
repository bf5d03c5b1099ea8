import { useCallback, useRef, useState } from 'react';
import { getFacilityNotices, type FacilityNoticeItem } from './facility-notices-api.ts';

/** The list is fetched again at most this often on the home page's refresh (at once when opened). */
const FACILITY_NOTICES_REFRESH_MS = 60_000;

/**
 * The facility's notices for the signed-in parent: fetched with the home page's refresh at most once a
 * minute (a new notice also comes as a push), at once when the list is opened. A failed fetch keeps the
 * last list (today's page says what went wrong).
 */
export function useFacilityNotices() {
  const [notices, setNotices] = useState<readonly FacilityNoticeItem[] | null>(null);
  const fetchedAtMs = useRef(0);

  const load = useCallback(async (now: boolean): Promise<void> => {
    if (!now && Date.now() - fetchedAtMs.current < FACILITY_NOTICES_REFRESH_MS) return;
    const r = await getFacilityNotices();
    if (!r.ok) return;
    fetchedAtMs.current = Date.now();
    setNotices(r.value);
  }, []);

  /** Confirmed here: shown read at once, before the list is fetched again. */
  const markRead = useCallback((id: string, readAt: string) => {
    setNotices((list) => list?.map((n) => (n.id === id && n.readAt === null ? { ...n, readAt } : n)) ?? null);
  }, []);

  /** Signed out: the next parent's list is fetched afresh. */
  const forget = useCallback(() => {
    setNotices(null);
    fetchedAtMs.current = 0;
  }, []);

  return { notices, load, markRead, forget };
}
