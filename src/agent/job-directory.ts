import path from 'node:path';

/**
 * The layout of one job directory (reference/genie.md 4.3):
 * `run`, `stdout`, `stderr`, the job's own files and `genie_setup.sh` at the top;
 * `genie/logs/{agent,setup,env}.log`, `genie/setup_failed.txt` while setup runs,
 * `genie/manifest.json` at archive time, and `genie/{cluster,command,applications}/<id>/` each with
 * `genie_setup.sh`, `config/` and `dependencies/`.
 */
export class JobDirectory {
  readonly root: string;

  constructor(jobsRoot: string, readonly jobId: string) {
    this.root = path.join(jobsRoot, jobId);
  }

  get run() {
    return path.join(this.root, 'run');
  }
  get stdout() {
    return path.join(this.root, 'stdout');
  }
  get stderr() {
    return path.join(this.root, 'stderr');
  }
  get genie() {
    return path.join(this.root, 'genie');
  }
  get logs() {
    return path.join(this.genie, 'logs');
  }
  get agentLog() {
    return path.join(this.logs, 'agent.log');
  }
  get setupLog() {
    return path.join(this.logs, 'setup.log');
  }
  get envLog() {
    return path.join(this.logs, 'env.log');
  }
  get setupFailedMarker() {
    return path.join(this.genie, 'setup_failed.txt');
  }
  /** Written by the run script when the command ends: its exit code. */
  get exitCode() {
    return path.join(this.genie, 'exit-code');
  }
  get applications() {
    return path.join(this.genie, 'applications');
  }
  cluster(id: string) {
    return path.join(this.genie, 'cluster', id);
  }
  command(id: string) {
    return path.join(this.genie, 'command', id);
  }
  application(id: string) {
    return path.join(this.applications, id);
  }
}

/** Setup script name inside every resource folder and at the job directory's top. */
export const SETUP_FILE_NAME = 'genie_setup.sh';
