import { QuarryError } from './quarry-error.ts';

export class UnavailableError extends QuarryError {
  readonly kind = 'unavailable' as const;
}
