/**
 * What went wrong, independent of transport. Each HTTP area maps a kind to the status code its
 * compatible API uses (Genie answers a validation failure with 412, Metacat with 400), so domain
 * code states the meaning and never a status code.
 */
export type ErrorKind =
  | 'invalid' // the input is malformed or violates a rule about its own content
  | 'not_found' // a named thing does not exist
  | 'conflict' // the thing already exists, or a concurrent change won
  | 'precondition' // the input is fine but the current state forbids the operation
  | 'limit' // a quota or rate limit would be exceeded
  | 'unauthenticated' // the caller did not prove who it is
  | 'forbidden' // the caller may not do this
  | 'too_large' // a body or attachment is over its size limit
  | 'unsupported' // the operation is not supported by this backend
  | 'unavailable'; // the service cannot take the request now

export abstract class QuarryError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(
    message: string,
    /** Data a caller or an HTTP mapper may need beyond the message (the field, the limit, the id). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export function isQuarryError(error: unknown): error is QuarryError {
  return error instanceof QuarryError;
}
