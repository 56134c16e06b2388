import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { lchown, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/** The operating-system account jobs run as, when it is not the agent's own. */
export interface JobUser {
  name: string;
  uid: number;
  gid: number;
}

/** Drops to the job user between the launcher (which joins the cgroup as root) and `bash run`. */
export const SETPRIV = '/usr/bin/setpriv';

/**
 * Looks up `jobs.runAsUser` (a user name or a numeric uid) and checks the agent can run jobs as it:
 * the agent must be root (only root changes to another user), the user must exist and not be root
 * (root jobs could read the agent's credential and the installation secret, and act as the agent),
 * setpriv must be installed (util-linux), and the user must reach the jobs folder, since a job uses
 * its directory's absolute path. Throws an error naming what to change.
 */
export function resolveJobUser(spec: string, jobsRoot: string): JobUser {
  if (process.getuid?.() !== 0) {
    throw new Error(`jobs.runAsUser is ${JSON.stringify(spec)}, but this agent runs as uid ${process.getuid?.()}: only an agent running as root can run jobs as another user`);
  }
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', spec], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
    gid = Number(execFileSync('id', ['-g', spec], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
  } catch {
    throw new Error(`jobs.runAsUser names ${JSON.stringify(spec)}, which is no user on this host: create it (useradd --system quarry-jobs) or name another`);
  }
  if (uid === 0) throw new Error(`jobs.runAsUser names ${JSON.stringify(spec)}, which is root: name an unprivileged user, so jobs cannot read the agent's credential`);
  if (!existsSync(SETPRIV)) throw new Error(`jobs.runAsUser needs ${SETPRIV} (Debian package util-linux) to start jobs as ${spec}`);
  const user = { name: spec, uid, gid };
  const blocked = firstUnreachableFolder(jobsRoot, user);
  if (blocked) {
    throw new Error(`jobs.runAsUser ${spec} cannot reach the jobs folder ${jobsRoot}: ${blocked} does not let it through (chmod o+x ${blocked}, or set jobs.directoryRoot elsewhere)`);
  }
  return user;
}

/** The first folder from / down to `folder` the user may not pass through, if any. */
function firstUnreachableFolder(folder: string, user: JobUser): string | undefined {
  const parts = path.resolve(folder).split(path.sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const current = path.sep + parts.slice(0, i).join(path.sep);
    if (!existsSync(current)) return undefined;
    const { mode, uid, gid } = statSync(current);
    const passes = uid === user.uid ? mode & 0o100 : gid === user.gid ? mode & 0o010 : mode & 0o001;
    if (!passes) return current;
  }
  return undefined;
}

/**
 * Gives the job user everything in the job directory the agent made before launch (never
 * following a link: ownership of the link itself changes). Called before the job runs, so nothing
 * in the directory is the job's own making yet.
 */
export async function handDirectoryTo(root: string, user: JobUser): Promise<void> {
  await lchown(root, user.uid, user.gid);
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const entryPath = path.join(root, entry.name);
    const stats = await lstat(entryPath);
    if (stats.isDirectory()) await handDirectoryTo(entryPath, user);
    // A file with other names elsewhere (a hard link) stays the agent's: its other names are not the job's.
    else if (stats.isSymbolicLink() || stats.nlink === 1) await lchown(entryPath, user.uid, user.gid);
  }
}

/** The command line prefix that runs what follows as the job user, with no supplementary groups. */
export function asJobUser(user: JobUser): string[] {
  return [SETPRIV, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'];
}
