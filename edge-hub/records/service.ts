import { GenkanError } from '../../common/errors.ts';
import { localDate } from '../../common/time.ts';
import type { CorrectionRequest, CorrectionResult, MonthState, OpenDays } from '../../protocol/index.ts';
import type { StoredEvent } from '../store/events.ts';
import type { RecordsContext, RecordsVia } from './context.ts';
import { correctDay } from './corrections.ts';
import { closeMonth, monthStates } from './months.ts';
import { openDays } from './open-days.ts';

export interface RecordsOptions extends RecordsContext {
  /** Events a correction stored, after its commit: the roll-call, the tablets and the relay catch up. */
  onCommitted: (stored: readonly StoredEvent[]) => void;
}

/**
 * The record after the fact (issue 13): past-day corrections, the open days, and closing months. The
 * HTTP routes are in edge-hub/http/records-api.ts; logs name ids and codes only (no names, no reasons).
 */
export class Records {
  private readonly ctx: RecordsContext;
  private readonly onCommitted: RecordsOptions['onCommitted'];

  constructor(options: RecordsOptions) {
    const { onCommitted, ...ctx } = options;
    this.ctx = ctx;
    this.onCommitted = onCommitted;
  }

  /** The business day now in the facility's zone. */
  today(): string {
    return localDate(this.ctx.clock.now(), this.ctx.timeZone);
  }

  correct(request: CorrectionRequest, via: RecordsVia): CorrectionResult {
    const { logger } = this.ctx;
    const ids = { childId: request.childId, date: request.date, via };
    let done;
    try {
      done = correctDay(this.ctx, request, via);
    } catch (err) {
      if (err instanceof GenkanError && err.kind !== 'internal') {
        logger.info({ ...ids, code: err.code }, 'correction refused');
      }
      throw err;
    }
    logger.info(
      {
        ...ids,
        correctionId: done.result.correctionId,
        events: done.stored.length,
        amendment: done.amendment,
      },
      'day corrected',
    );
    try {
      this.onCommitted(done.stored);
    } catch (err) {
      logger.error({ err }, 'post-commit update failed');
    }
    return done.result;
  }

  openDays(month: string): OpenDays {
    return openDays(this.ctx, month, this.today());
  }

  months(): MonthState[] {
    return monthStates(this.ctx);
  }

  closeMonth(month: string, actor: string, via: RecordsVia): MonthState {
    try {
      const state = closeMonth(this.ctx, month, actor, via);
      this.ctx.logger.info({ month, via }, 'month closed');
      return state;
    } catch (err) {
      if (err instanceof GenkanError && err.kind !== 'internal') {
        this.ctx.logger.info({ month, via, code: err.code }, 'month close refused');
      }
      throw err;
    }
  }
}
