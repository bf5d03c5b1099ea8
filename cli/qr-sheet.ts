import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { GenkanError } from '../common/errors.ts';
import { DEFAULT_QR_DAYS } from '../edge-hub/defaults.ts';
import { openHubStore } from './hub-init.ts';
import { fail, parseNonNegativeInt, printJson } from './util.ts';

/** `genkan qr sheet --data DIR --out cards.pdf [--class ID] [--days N]`, in the `qr` group of cli/hub.ts. */
export function registerQrSheet(qr: Command): void {
  qr.command('sheet')
    .description(
      "sign every guardian's QR code (or those with a child in --class) and write them as A4 sheets of cards to cut out (PDF)",
    )
    .requiredOption('--data <dir>', "the hub's data directory")
    .requiredOption('--out <file>', 'the PDF to write (FILE.pdf)')
    .option('--class <id>', 'only guardians with a child in this class')
    .option('--days <n>', 'days until the codes expire', parseNonNegativeInt, DEFAULT_QR_DAYS)
    .action(async (opts: { data: string; out: string; class?: string; days: number }) => {
      if (extname(opts.out).toLowerCase() !== '.pdf') {
        fail(new GenkanError('bad_usage', '--out must name a .pdf file'));
      }
      const { issueQrSheet } = await import('../edge-hub/facility/qr-sheet.ts');
      const store = await openHubStore(opts.data);
      try {
        const sheet = await issueQrSheet(store, {
          days: opts.days,
          ...(opts.class !== undefined && { classId: opts.class }),
        });
        writeFileSync(opts.out, sheet.pdf);
        // The payloads are in the PDF only: they are bearer credentials, and stdout ends up in logs.
        printJson({ file: opts.out, cards: sheet.cards, pages: sheet.pages });
      } catch (err) {
        store.close();
        fail(err);
      } finally {
        store.close();
      }
    });
}
