import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Tables } from '../db/tables.ts';
import { AGENT_OWNED_STATUSES, FINAL_STATUSES } from '../protocol/agent/job-status.ts';

/**
 * Agents as the server knows them: the `job_agent` rows (registration and the agent's own
 * heartbeat), the heartbeat of the jobs an agent runs, and the kill requests it must act on.
 * Split from JobStore, which keeps the job lifecycle; both work on the `job` table, so a kill
 * request or a heartbeat only ever touches `kill_requested_at`, `heartbeat_at` and `updated`,
 * never the status, which stays a compare-and-set in JobStore.
 */
export class AgentStore {
  private readonly db: Kysely<Tables>;

  constructor(database: Database) {
    this.db = database.db;
  }

  /** Records a kill request for an active job; returns false if it was already asked. */
  async requestKill(id: string, now = Date.now()): Promise<boolean> {
    const result = await this.db.updateTable('job').set({ kill_requested_at: now, updated: now }).where('id', '=', id).where('kill_requested_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async upsertAgent(agent: { id: string; hostName: string; address?: string; pid: number; version: string }, now = Date.now()): Promise<void> {
    const values = { host_name: agent.hostName, address: agent.address ?? null, pid: agent.pid, version: agent.version, heartbeat_at: now };
    await this.db
      .insertInto('job_agent')
      .values({ id: agent.id, started: now, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }

  async getAgent(id: string): Promise<Selectable<Tables['job_agent']> | undefined> {
    return this.db.selectFrom('job_agent').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Renews the agent's and its running jobs' heartbeat; answers which of them should be killed. */
  async heartbeat(agentId: string, jobIds: string[], now = Date.now()): Promise<string[]> {
    await this.db.updateTable('job_agent').set({ heartbeat_at: now }).where('id', '=', agentId).execute();
    if (jobIds.length > 0) {
      await this.db
        .updateTable('job')
        .set({ heartbeat_at: now })
        .where('agent_id', '=', agentId)
        .where('id', 'in', jobIds)
        .where('status', 'in', AGENT_OWNED_STATUSES)
        .execute();
    }
    // Jobs the agent still runs that the server has already ended (the leader failed them while the
    // agent was unreachable) or handed to another agent: the agent must stop them too, as Genie's
    // monitor kills a job whose server-side status is no longer RUNNING. A job back in the queue is
    // not named: it was requeued before its agent started it (no process to stop), and the agent's
    // execution may yet win it back by claiming it again; its next compare-and-set decides.
    const ended =
      jobIds.length === 0
        ? []
        : await this.db
            .selectFrom('job')
            .select('id')
            .where('id', 'in', jobIds)
            .where((eb) => eb.or([eb('status', 'in', FINAL_STATUSES), eb.and([eb('agent_id', 'is not', null), eb('agent_id', '!=', agentId)])]))
            .execute();
    const kills = await this.killRequests(agentId);
    return [...new Set([...kills, ...ended.map((row) => row.id)])];
  }

  async killRequests(agentId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('job')
      .select('id')
      .where('agent_id', '=', agentId)
      .where('kill_requested_at', 'is not', null)
      .where('status', 'in', AGENT_OWNED_STATUSES)
      .execute();
    return rows.map((r) => r.id);
  }
}
