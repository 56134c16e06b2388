import { QuarryError } from './quarry-error.ts';

export class NotFoundError extends QuarryError {
  readonly kind = 'not_found' as const;
}
