import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HUB_DB_FILE } from '../../edge-hub/store/hub-store.ts';
import { PARENT_TEST_IDS } from '../../protocol/parents.ts';

/** The bound for a change (a tap, a notice, a revocation) to reach the other side. */
export const REACH_MS = 10_000;

const byTestId = (id: string): string => `[data-testid="${id}"]`;

/** The hub's relay took the guardian's current parent-access record (the cloud answered 200). */
export function parentAccessRelayed(hubData: string, guardianId: string): boolean {
  const db = new Database(join(hubData, HUB_DB_FILE), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare('SELECT version, relayed_version AS relayedVersion FROM parent_access WHERE guardian_id = ?')
      .get(guardianId) as { version: number; relayedVersion: number } | undefined;
    return row !== undefined && row.relayedVersion >= row.version;
  } finally {
    db.close();
  }
}

/**
 * A parent's phone: a browser context of its own with a CDP virtual authenticator (a platform
 * authenticator with user verification, keeping discoverable credentials), as a phone's passkey store is.
 */
export async function openPhone(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    console.error(`parent page error: ${err.message}`);
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return { context, page };
}

/** The page's child cards as [childId, status] pairs, in page order. */
export async function childCards(page: Page): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const card of await page.locator(byTestId(PARENT_TEST_IDS.child)).all()) {
    out.push([
      (await card.getAttribute('data-child-id')) ?? '',
      (await card.getAttribute('data-status')) ?? '',
    ]);
  }
  return out;
}
