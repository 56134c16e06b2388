import { QuarryError } from './quarry-error.ts';

export class UnsupportedError extends QuarryError {
  readonly kind = 'unsupported' as const;
}
