import { QuarryError } from './quarry-error.ts';

/** The caller did not prove who it is (a missing or wrong token). */
export class UnauthenticatedError extends QuarryError {
  readonly kind = 'unauthenticated' as const;
}
