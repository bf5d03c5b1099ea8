/** What a check answers while its condition does not hold yet. */
type NotYet = undefined | false;

export interface UntilOptions {
  /** How long to keep checking before failing (default 10 s). */
  timeoutMs?: number;
  /** The pause between two checks (default 10 ms). */
  intervalMs?: number;
}

/**
 * Polls `check` until it answers something other than undefined or false, and resolves with that answer:
 * a found value, or `true` for a plain condition. For state that changes with no event to wait for (a
 * counter, an HTTP answer, a database row). After the timeout it fails with `what`, so that a change that
 * never comes is a failure instead of a hang; `what` may be a function, for a description made at that
 * moment (e.g. with the last answer seen). An error thrown by `check` fails the wait at once.
 */
export async function until<T>(
  check: () => T | NotYet | PromiseLike<T | NotYet>,
  what: string | (() => string),
  { timeoutMs = 10_000, intervalMs = 10 }: UntilOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await check();
    if (answer !== undefined && answer !== false) return answer;
    if (Date.now() > deadline) {
      const description = typeof what === 'string' ? what : what();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
