/** Every error Genkan raises on purpose carries a stable machine-readable `code`. */
export class GenkanError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Input that failed validation; `field` names what was wrong when known. */
export class ValidationError extends GenkanError {
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string) {
    super(code, message);
    this.field = field;
  }
}

export class AuthError extends GenkanError {}

export class NotFoundError extends GenkanError {}

export class TimeoutError extends GenkanError {
  constructor(message: string) {
    super('timeout', message);
  }
}

/** Rejects with a TimeoutError when `promise` does not settle within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new TimeoutError(`${what} timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
