import { ForbiddenError } from '../errors/forbidden-error.ts';
import { isAdmin, type Principal } from './principal.ts';

/**
 * Genie's rules for jobs, once the caller is known: a job runs as the authenticated user, so a
 * request naming another `user` is refused unless an admin sends it; only the job's owner or an admin
 * kills it. Without authentication (mode none) the request's own word is taken, as before.
 */
export function checkJobUser(principal: Principal | undefined, requestedUser: string): void {
  if (!principal || principal.kind !== 'user' || principal.admin || principal.user === requestedUser) return;
  throw new ForbiddenError(`User ${JSON.stringify(principal.user)} may not submit a job as ${JSON.stringify(requestedUser)}: a job's user must be the authenticated user unless an admin submits it`, {
    field: 'user',
  });
}

export function checkJobKill(principal: Principal | undefined, job: { id: string; user: string }): void {
  if (!principal || isAdmin(principal) || principal.kind !== 'user' || principal.user === job.user) return;
  throw new ForbiddenError(`User ${JSON.stringify(principal.user)} may not kill job ${job.id}: only its owner (${JSON.stringify(job.user)}) or an admin may`, { id: job.id });
}
