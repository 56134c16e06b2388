import { QuarryError } from './quarry-error.ts';

/** The caller is known but not allowed to do this (an access-control list denies it). */
export class ForbiddenError extends QuarryError {
  readonly kind = 'forbidden' as const;
}
