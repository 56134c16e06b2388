import { QuarryError } from './quarry-error.ts';

export class TooLargeError extends QuarryError {
  readonly kind = 'too_large' as const;
}
