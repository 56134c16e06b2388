/**
 * Which parts of a job directory Genie's manifest leaves out (reference/genie.md 4.7), shared by the
 * archiver and the files-limit monitor so that what is archived and what is limited agree. Paths are
 * relative to the job directory, `/`-separated.
 */

/** Temp folders are skipped entirely. */
export const isSkippedDirectory = (relative: string): boolean => /(^|\/)(tmp|temp)$/.test(relative);

/**
 * Downloaded dependencies (`genie/{cluster,command,applications}/<id>/dependencies`) are listed but
 * not descended into: the agent placed them from the registry, they can be large, and walking them
 * again and again would cost the most.
 */
export const isUndescendedDirectory = (relative: string): boolean => /^genie\/(cluster|command|applications)\/[^/]+\/dependencies$/.test(relative);
