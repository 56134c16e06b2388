import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { QuarryError } from '../errors/quarry-error.ts';

/** DuckDB refused or failed the query: the message is DuckDB's, which names the problem in the user's SQL. */
export class QueryFailedError extends InvalidInputError {
  constructor(message: string) {
    super(message, 'sql');
  }
}

/** The query was cancelled (its client went away, Ctrl-C, or a DELETE of the query). */
export class QueryCancelledError extends QuarryError {
  readonly kind = 'precondition' as const;
}
