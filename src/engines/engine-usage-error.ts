/** A `quarry engines` request that cannot work as given (wrong engine, missing setting): the message says what would. */
export class EngineUsageError extends Error {}
