import { InvalidInputError } from '../../errors/invalid-input-error.ts';

/**
 * Job resolution found no command, no cluster or a missing application for a request. It is an
 * invalid-input error, so Genie's routes answer 412 as Genie does; the message names the criterion
 * that matched nothing.
 */
export class JobResolutionError extends InvalidInputError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, undefined, details);
  }
}
