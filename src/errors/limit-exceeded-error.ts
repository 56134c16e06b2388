import { QuarryError } from './quarry-error.ts';

export class LimitExceededError extends QuarryError {
  readonly kind = 'limit' as const;
}
