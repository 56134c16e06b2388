import { QuarryError } from './quarry-error.ts';

/** The request itself is wrong; `field` names the offending input where one can be named. */
export class InvalidInputError extends QuarryError {
  readonly kind = 'invalid' as const;

  constructor(message: string, readonly field?: string, details: Record<string, unknown> = {}) {
    super(message, field === undefined ? details : { field, ...details });
  }
}
