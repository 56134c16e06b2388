import assert from 'node:assert/strict';
import { bashJob } from './jobs-harness.ts';
import { groupAlive } from './fault-cluster.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One job as its client saw it. */
export interface Submission {
  id: string;
  expectedOutput: string;
  status?: string;
  statusMsg?: string;
  output?: string;
  /** Why the output could not be read, when it could not. */
  outputFailure?: string;
  agentId?: string;
  hostName?: string;
  processId?: number;
}

/** What a fault test counts: the promise is accepted = succeeded with output (or, where the scenario fails jobs, truthfully failed). */
export interface Accounting {
  scenario: string;
  /** Submission attempts made (each refused attempt is retried under a new id). */
  attempts: number;
  /** Answered 202. */
  accepted: number;
  /** Answered 503 with Retry-After and the database message. */
  refused503: number;
  /** Answered 500 (or any other unexpected status). */
  serverErrors: number;
  /** Accepted and SUCCEEDED with exactly the output the job printed. */
  succeededWithOutput: number;
  /** Accepted, then not final by the deadline, or gone. */
  lost: number;
  /** Final with a status or output other than the truth. */
  misreported: number;
  /** Process groups of the scenario's jobs still alive at the end. */
  leftoverProcesses: number;
  /** Seconds from the fault to its detection (agent scenarios), when measured. */
  detectSeconds?: number;
  /** Seconds from the fault to the agent killing its own jobs (partition), when measured. */
  fenceSeconds?: number;
  /** The jobs that were lost or misreported: id, status, message (empty when the promise was kept). */
  broken: string[];
}

/**
 * A client that submits jobs to whichever node answers and keeps the books: a 503 is retried with
 * backoff under a new id (the refused job is not the client's), a connection failure is retried under
 * the same id at the next node (a 409 then means the first attempt landed), anything else unexpected
 * is counted as a server error.
 */
export class SubmissionLedger {
  readonly jobs: Submission[] = [];
  attempts = 0;
  refused503 = 0;
  serverErrors = 0;
  /** Submissions whose node died before answering, ended FAILED "Submission interrupted" (retried under a new id). */
  readonly interrupted = new Set<string>();
  readonly problems: string[] = [];
  private next = 0;

  constructor(
    private readonly nodes: () => string[],
    private readonly prefix: string,
  ) {}

  /** Submits one job running `bash -c 'echo <marker>; <tail>'`, retrying until it is accepted. */
  async submit(tail: string): Promise<Submission> {
    const index = this.next++;
    const expectedOutput = `out-${this.prefix}-${index}\n`;
    let attempt = 0;
    let id = `${this.prefix}-${index}-${attempt}`;
    let delay = 100;
    for (let round = 0; round < 200; round++) {
      const urls = this.nodes();
      const url = urls[round % urls.length]!;
      this.attempts++;
      let response: Response;
      try {
        response = await fetch(`${url}/api/v3/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(bashJob(`-c 'echo out-${this.prefix}-${index}; ${tail}'`, { id, name: `fault-${this.prefix}` })),
          signal: AbortSignal.timeout(20_000),
        });
      } catch {
        await sleep(delay);
        continue; // same id at the next node: the outcome of this attempt is unknown
      }
      const text = await response.text();
      if (response.status === 202 || (response.status === 409 && (await this.acceptedElsewhere(url, id)))) {
        const job = { id, expectedOutput };
        this.jobs.push(job);
        return job;
      }
      if (response.status === 409) {
        // The earlier attempt under this id was not accepted (interrupted, or never resolved): a new id.
        id = `${this.prefix}-${index}-${++attempt}`;
        continue;
      }
      if (response.status === 503) {
        this.refused503++;
        if (!response.headers.get('retry-after') || !/metadata database is unavailable/.test(text)) this.problems.push(`503 without Retry-After or message: ${text}`);
      } else {
        this.serverErrors++;
        this.problems.push(`${response.status} ${text.slice(0, 300)}`);
      }
      id = `${this.prefix}-${index}-${++attempt}`;
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
    throw new Error(`job ${index} of ${this.prefix} was never accepted: ${this.problems.slice(-3).join('; ')}`);
  }

  /**
   * After a 409 for an id whose earlier attempt got no answer: whether that attempt was accepted. A
   * job still RESERVED or RESOLVED was being submitted by a node that may have died: the leader
   * finishes such a submission once that node has been silent for the lease (accepted, or FAILED as
   * interrupted), so this waits for it to leave those states.
   */
  private async acceptedElsewhere(url: string, id: string): Promise<boolean> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = (await this.read(url, `/api/v3/jobs/${id}`)) ?? (await this.job(id));
      const status = job?.status as string | undefined;
      if (status !== undefined && !['RESERVED', 'RESOLVED'].includes(status)) {
        if (status === 'FAILED' && /^Submission interrupted/.test(String(job?.statusMsg))) {
          this.interrupted.add(id);
          return false;
        }
        return true;
      }
      if (Date.now() > deadline) {
        this.problems.push(`job ${id} stayed ${status ?? 'unreadable'} for 2 min after its node was lost mid-submission`);
        return false;
      }
      await sleep(500);
    }
  }

  private async read(url: string, path: string): Promise<Record<string, unknown> | undefined> {
    try {
      const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
      return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Reads a job from the first node that answers. */
  async job(id: string, sub = ''): Promise<Record<string, unknown> | undefined> {
    for (const url of this.nodes()) {
      const job = await this.read(url, `/api/v3/jobs/${id}${sub}`);
      if (job) return job;
    }
    return undefined;
  }

  /** Waits until every accepted job satisfies `done` (default: final), then records its facts. */
  async settle(deadlineMs: number, done: (status: string) => boolean = (s) => ['SUCCEEDED', 'FAILED', 'KILLED', 'INVALID'].includes(s)): Promise<void> {
    const end = Date.now() + deadlineMs;
    const pending = new Set(this.jobs);
    while (pending.size > 0 && Date.now() < end) {
      for (const job of [...pending]) {
        const record = await this.job(job.id);
        if (record && done(String(record.status))) {
          pending.delete(job);
          job.status = String(record.status);
          job.statusMsg = String(record.statusMsg ?? '');
        }
      }
      if (pending.size > 0) await sleep(250);
    }
    for (const job of this.jobs) {
      const execution = await this.job(job.id, '/execution');
      job.agentId = (execution?.agentId as string | null) ?? undefined;
      job.hostName = (execution?.hostName as string | null) ?? undefined;
      job.processId = (execution?.processId as number | null) ?? undefined;
    }
  }

  /** Reads the stdout of every SUCCEEDED job, then counts. `truth` says what status each job should have ended in. */
  async account(scenario: string, truth: (job: Submission) => string = () => 'SUCCEEDED'): Promise<Accounting> {
    // Right after a fault the output may be on its way (an archive being written, an agent's file
    // server busy on a loaded machine): each job's stdout gets a minute, every node asked in turn;
    // a job whose output never comes says what the last answer was.
    for (const job of this.jobs.filter((j) => j.status === 'SUCCEEDED')) {
      const deadline = Date.now() + 60_000;
      while (job.output === undefined && Date.now() < deadline) {
        for (const url of this.nodes()) {
          try {
            const response = await fetch(`${url}/api/v3/jobs/${job.id}/output/stdout`, { signal: AbortSignal.timeout(10_000) });
            if (response.ok) {
              job.output = await response.text();
              break;
            }
            job.outputFailure = `${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`;
          } catch (error) {
            job.outputFailure = `${url}: ${(error as Error).message}`;
          }
        }
        if (job.output === undefined) await sleep(1000);
      }
    }
    // A job's group may still be on its way out (its final report is in); give it the kill grace.
    const groups = this.jobs.map((j) => j.processId).filter((pid): pid is number => pid !== undefined);
    for (let i = 0; i < 40 && groups.some(groupAlive); i++) await sleep(250);
    const final = (s?: string) => s !== undefined && ['SUCCEEDED', 'FAILED', 'KILLED', 'INVALID'].includes(s);
    return {
      scenario,
      attempts: this.attempts,
      accepted: this.jobs.length,
      refused503: this.refused503,
      serverErrors: this.serverErrors,
      succeededWithOutput: this.jobs.filter((j) => j.status === 'SUCCEEDED' && j.output === j.expectedOutput).length,
      lost: this.jobs.filter((j) => !final(j.status)).length,
      misreported: this.jobs.filter((j) => final(j.status) && (j.status !== truth(j) || (j.status === 'SUCCEEDED' && j.output !== j.expectedOutput))).length,
      leftoverProcesses: groups.filter(groupAlive).length,
      broken: this.jobs
        .filter((j) => !final(j.status) || j.status !== truth(j) || (j.status === 'SUCCEEDED' && j.output !== j.expectedOutput))
        .map((j) => `${j.id} ${j.status ?? 'not final'} ${j.statusMsg ?? ''} output=${JSON.stringify(j.output)}${j.output === undefined && j.outputFailure ? ` (${j.outputFailure})` : ''}`),
    };
  }

  /**
   * The ids of this ledger's jobs (by name) that the server has but the client does not count as
   * accepted: a submission answered 503 that landed anyway, or one whose answer was lost and never
   * resolved. An honest server has none (a submission ended FAILED "Submission interrupted" was
   * answered truthfully: the client saw it).
   */
  async strays(): Promise<string[]> {
    const known = new Set([...this.jobs.map((j) => j.id), ...this.interrupted]);
    for (const url of this.nodes()) {
      try {
        const response = await fetch(`${url}/api/v3/jobs?name=fault-${this.prefix}&size=1000`, { signal: AbortSignal.timeout(20_000) });
        if (!response.ok) continue;
        const page = (await response.json()) as { _embedded?: { jobSearchResultList?: { id: string; name: string }[] } };
        return (page._embedded?.jobSearchResultList ?? []).filter((j) => j.name === `fault-${this.prefix}` && !known.has(j.id)).map((j) => j.id);
      } catch {
        // the next node
      }
    }
    throw new Error(`no node answered the search for ${this.prefix}'s jobs`);
  }

  /** Kills what a failed test left behind. */
  killAll(): void {
    for (const job of this.jobs) {
      if (job.processId === undefined) continue;
      try {
        process.kill(-job.processId, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

/** Prints a scenario's accounting as the `RESILIENCE {json}` line bench/RESILIENCE.md records. */
export function report(accounting: Accounting): void {
  console.log(`RESILIENCE ${JSON.stringify(accounting)}`);
}

/** The promise of every failure scenario: no 500s, nothing lost or misreported, no stray process, every accepted job SUCCEEDED with its output. */
export function assertPromiseKept(accounting: Accounting, ledger: SubmissionLedger): void {
  assert.deepEqual(ledger.problems, [], 'no 500s, and every 503 says why with Retry-After');
  assert.equal(accounting.lost, 0, `no accepted job lost: ${accounting.broken.join('; ')}`);
  assert.equal(accounting.misreported, 0, `no job misreported: ${accounting.broken.join('; ')}`);
  assert.equal(accounting.leftoverProcesses, 0, 'no job process left over');
  assert.equal(accounting.succeededWithOutput, accounting.accepted, `every accepted job SUCCEEDED with its output: ${accounting.broken.join('; ')}`);
}
