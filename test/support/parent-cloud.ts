import type { ServerResponse } from 'node:http';
import type {
  ParentMessage,
  ParentMessagesPage,
  ParentNotice,
  ParentNoticeReads,
  ParentSettingsUpload,
} from '../../protocol/parent-notices.ts';
import type { ParentPickup } from '../../protocol/parent-pickups.ts';
import { acceptAll, FakeCloud, json, type Handler } from './fake-cloud.ts';

/**
 * A stand-in for the cloud's parent-message routes in the hub's tests (issue 17), on a FakeCloud:
 * GET /v1/hub/parent-messages answers the messages after `after` (at most `pageMax`), holding the request
 * up to `wait` seconds when there are none (long-poll, woken by post()); POST /v1/hub/parent-notices/read
 * and PUT /v1/hub/parent-settings are kept; everything else is taken (batches accepted, PUTs stored).
 * Handlers queued with `cloud.then(…)` answer first, as in FakeCloud.
 */
export class ParentMessagesCloud {
  readonly cloud: FakeCloud;
  readonly messages: ParentMessage[] = [];
  readonly reads: ParentNoticeReads['reads'][] = [];
  readonly settings: ParentSettingsUpload[] = [];
  /** `after` of each GET /v1/hub/parent-messages, in order. */
  readonly fetches: number[] = [];
  private waiting: { after: number; res: ServerResponse; timer: NodeJS.Timeout }[] = [];
  private readonly pageMax: number;

  constructor(options: { pageMax?: number } = {}) {
    this.pageMax = options.pageMax ?? 100;
    this.cloud = new FakeCloud(this.handle);
  }

  listen(): Promise<string> {
    return this.cloud.listen();
  }

  /** A parent sent a pickup plan: as post, with a message of type `pickup`. */
  postPickup(pickup: ParentPickup): void {
    this.messages.push({ seq: this.messages.length + 1, type: 'pickup', pickup });
    this.answerHeld();
  }

  /** A parent sent a notice: it becomes the next message, and a held request is answered. */
  post(notice: ParentNotice): void {
    this.messages.push({ seq: this.messages.length + 1, type: 'notice', notice });
    this.answerHeld();
  }

  private answerHeld(): void {
    const held = this.waiting;
    this.waiting = [];
    for (const w of held) {
      clearTimeout(w.timer);
      this.answer(w.res, w.after);
    }
  }

  /** The requests held now (a long-poll waiting). */
  get held(): number {
    return this.waiting.length;
  }

  async close(): Promise<void> {
    for (const w of this.waiting) clearTimeout(w.timer);
    this.waiting = [];
    await this.cloud.close();
  }

  private readonly handle: Handler = (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://cloud');
    if (req.method === 'GET' && url.pathname === '/v1/hub/parent-messages') {
      const after = Number(url.searchParams.get('after'));
      const wait = Number(url.searchParams.get('wait'));
      this.fetches.push(after);
      if (this.messages.some((m) => m.seq > after) || wait <= 0) {
        this.answer(res, after);
        return;
      }
      const entry = {
        after,
        res,
        timer: setTimeout(() => {
          this.waiting = this.waiting.filter((w) => w !== entry);
          this.answer(res, after);
        }, wait * 1000),
      };
      this.waiting.push(entry);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/v1/hub/parent-notices/read') {
      const reads = (body as unknown as ParentNoticeReads).reads;
      this.reads.push(reads);
      json(200, { stored: reads.length })(req, res, body);
      return;
    }
    if (req.method === 'PUT' && url.pathname === '/v1/hub/parent-settings') {
      this.settings.push(body as unknown as ParentSettingsUpload);
      json(200, { stored: true })(req, res, body);
      return;
    }
    acceptAll(req, res, body);
  };

  private answer(res: ServerResponse, after: number): void {
    const messages = this.messages.filter((m) => m.seq > after).slice(0, this.pageMax);
    const page: ParentMessagesPage = { messages, cursor: messages.at(-1)?.seq ?? after };
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
  }
}

/** A notice as the cloud relays it, for guardian g001's children of the test roster by default. */
export function testNotice(overrides: Partial<ParentNotice> & Pick<ParentNotice, 'id'>): ParentNotice {
  const date = overrides.date ?? '2026-04-01';
  return {
    guardianId: 'g001',
    kind: 'absence',
    childIds: ['c001'],
    date,
    until: overrides.until ?? date,
    reason: 'sick',
    sentAt: `${date}T07:30:00.000+09:00`,
    status: 'sent',
    readAt: null,
    ...overrides,
  };
}
