import { QuarryError } from './quarry-error.ts';

/** The target already exists, or another writer changed it first. */
export class ConflictError extends QuarryError {
  readonly kind = 'conflict' as const;
}
