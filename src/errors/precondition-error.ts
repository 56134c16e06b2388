import { QuarryError } from './quarry-error.ts';

/** The request is well formed, but the current state of the system does not allow it. */
export class PreconditionError extends QuarryError {
  readonly kind = 'precondition' as const;
}
