import { InvalidInputError } from '../../errors/invalid-input-error.ts';

/**
 * A partition filter that cannot be parsed or does not fit the table it is applied to. `position` is
 * the 0-based character offset of the offending token, so a client can point at it.
 */
export class FilterSyntaxError extends InvalidInputError {
  constructor(message: string, readonly position: number) {
    super(message, 'filter', { position });
  }
}
