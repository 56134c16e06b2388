import { AsyncLocalStorage } from 'node:async_hooks';

// Warehouse changes are recorded deep below the request that made them (REST catalog → table →
// pointer store → recorder); the author travels with the async work instead of through every call.
const author = new AsyncLocalStorage<string>();

/**
 * Runs `work` as the given user's: the warehouse event recorder names that user for every pointer
 * change the work makes, instead of the recorder's own default.
 */
export function runAsAuthor<T>(user: string, work: () => T): T {
  return author.run(user, work);
}

/** The user of the work now running, when one was set with `runAsAuthor`. */
export function currentAuthor(): string | undefined {
  return author.getStore();
}
