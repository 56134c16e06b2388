import { ConflictError } from '../errors/conflict-error.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { PreconditionError } from '../errors/precondition-error.ts';

export class ObjectNotFoundError extends NotFoundError {
  constructor(readonly uri: string) {
    super(`No object at ${uri}`, { uri });
  }
}

/** A create-only put found an object already there. */
export class ObjectExistsError extends ConflictError {
  constructor(readonly uri: string) {
    super(`An object already exists at ${uri}`, { uri });
  }
}

/** An `ifMatch` put found the object changed since the caller read it. */
export class ObjectChangedError extends PreconditionError {
  constructor(readonly uri: string) {
    super(`The object at ${uri} changed since it was read`, { uri });
  }
}

export class RangeNotSatisfiableError extends InvalidInputError {
  constructor(readonly uri: string, readonly size: number) {
    super(`The requested range is outside ${uri} (${size} bytes)`, 'range', { size });
  }
}
