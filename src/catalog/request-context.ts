/** Who asks, for audit fields, ACL checks and events. */
export interface RequestContext {
  /** From `X-Netflix.user.name`; `metacat` when absent, as Metacat defaults it. */
  readonly user: string;
  readonly requestId?: string;
}

export const DEFAULT_USER = 'metacat';
