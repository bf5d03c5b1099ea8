import { GenkanError } from '../common/errors.ts';

/** An error answered as {"error":{code,message}} with its HTTP status. */
export class ApiError extends GenkanError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}
