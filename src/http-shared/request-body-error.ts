/**
 * A request whose body cannot be read at all — missing, of a media type the operation does not take,
 * or a multipart body without its boundary. Carries `statusCode` like the framework's own parse
 * errors, so every area answers it with that status (400 or 415) and the message, as Spring does
 * for Genie (an unreadable message is 400 there too, not a validation 412).
 */
export class RequestBodyError extends Error {
  constructor(
    readonly statusCode: 400 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'RequestBodyError';
  }
}
