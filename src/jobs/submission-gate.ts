import { UnavailableError } from '../errors/unavailable-error.ts';
import type { JobSettings } from './job-settings.ts';

/** Whether new jobs are accepted, and what a refused submitter is told. */
export interface SubmissionState {
  enabled: boolean;
  message: string;
  /** `configuration`: jobs.submission in the configuration; `runtime`: an admin's override in the database. */
  source: 'configuration' | 'runtime';
}

const SETTING = 'submission';

/**
 * Genie's `genie.jobs.submission.enabled` switch (reference/genie.md 2.2): when off, submissions are
 * refused with 503 and the configured message before anything is saved. The configuration gives
 * the default; an admin can override it at runtime (PUT /api/admin/v1/jobs/submission). The
 * override lives in the database, so it holds on every server node at once and survives restarts
 * until it is cleared.
 */
export class SubmissionGate {
  constructor(
    private readonly settings: JobSettings,
    private readonly configured: { enabled: boolean; disabledMessage: string },
  ) {}

  async state(): Promise<SubmissionState> {
    const override = await this.settings.get<{ enabled: boolean; message?: string }>(SETTING);
    if (!override) return { enabled: this.configured.enabled, message: this.configured.disabledMessage, source: 'configuration' };
    return { enabled: override.enabled, message: override.message ?? this.configured.disabledMessage, source: 'runtime' };
  }

  /** Throws UnavailableError (503) with the message when submission is off. */
  async check(): Promise<void> {
    const state = await this.state();
    if (!state.enabled) throw new UnavailableError(state.message);
  }

  async override(enabled: boolean, message?: string): Promise<SubmissionState> {
    await this.settings.put(SETTING, message === undefined ? { enabled } : { enabled, message });
    return this.state();
  }

  /** Drops the runtime override: the configuration decides again. */
  async reset(): Promise<SubmissionState> {
    await this.settings.delete(SETTING);
    return this.state();
  }
}
