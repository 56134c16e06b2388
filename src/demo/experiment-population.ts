import { DEMO } from './demo-names.ts';
import type { DemoMember } from './operational-database.ts';
import { DAY_MS, type DemoWeek } from './demo-week.ts';
import { SeededRandom } from './seeded-random.ts';

/** The planted truths the demo's report should find. */
export const PLANTED = {
  /** Streaming hours per session in the effect cell are this many times control's. */
  effectMultiplier: 1.15,
  /** On this day of the week (0-based), this share of would-be control members land in the null variant: a slight sample-ratio mismatch. */
  mismatchDay: 3,
  mismatchShare: 0.7,
  sessionsPerMember: 3,
  hoursPerSession: 1,
  uiEventsPerMember: 4,
} as const;

export interface DemoEvents {
  allocations: Record<string, unknown>[];
  playback: Record<string, unknown>[];
  ui: Record<string, unknown>[];
}

const TITLES = ['Stranger Tides', 'The Quarry', 'Ozark Nights', 'Dark Matter', 'Lupin Returns', 'Wednesday Again', 'The Crown Jewels', 'Narcos Bay'];
const ACTIONS = ['browse', 'search', 'row_scroll', 'artwork_view', 'play_click'];

/**
 * A week of the experiment: each member allocated on one day of the week to control, the effect cell
 * (longer sessions by PLANTED.effectMultiplier) or the null cell (same behaviour as control), in
 * turns, so the intended equal split holds; on PLANTED.mismatchDay most control allocations go to the null cell instead. Then
 * each member's playback sessions and UI events between allocation and the week's end.
 */
export function experimentWeek(members: readonly DemoMember[], week: DemoWeek, seed: number): DemoEvents {
  const random = new SeededRandom(seed);
  const cells = [DEMO.cells.control, DEMO.cells.effect, DEMO.cells.none];
  const events: DemoEvents = { allocations: [], playback: [], ui: [] };
  // Within a day, cells take turns (from a seeded start), so the intended split holds exactly but for the planted day.
  const turn = Array.from({ length: 7 }, () => random.below(3));
  for (const member of members) {
    const day = random.below(7);
    let cell = cells[turn[day]!++ % 3]!;
    if (day === PLANTED.mismatchDay && cell === DEMO.cells.control && random.next() < PLANTED.mismatchShare) cell = DEMO.cells.none;
    const allocatedMs = week.days[day]!.startMs + random.below(DAY_MS);
    events.allocations.push({ member: member.id, experiment: DEMO.experiment, cell, allocated_at: iso(allocatedMs) });
    const at = () => iso(allocatedMs + random.below(week.endMs - allocatedMs));
    const perSession = PLANTED.hoursPerSession * (cell === DEMO.cells.effect ? PLANTED.effectMultiplier : 1);
    for (let s = random.poisson(PLANTED.sessionsPerMember); s > 0; s--) {
      events.playback.push({ member: member.id, ts: at(), title: random.pick(TITLES), device: member.device, hours: Math.round(random.exponential(perSession) * 1000) / 1000 });
    }
    for (let u = random.poisson(PLANTED.uiEventsPerMember); u > 0; u--) {
      events.ui.push({ member: member.id, ts: at(), action: random.pick(ACTIONS), device: member.device });
    }
  }
  return events;
}

/**
 * Malformed lines for a stream, as a faulty client sends them: a wrong type, a missing required
 * field, text that is not JSON. The collector puts each in the stream's dead-letter table.
 */
export function malformedLines(stream: 'playback' | 'ui', n: number, nowMs: number): string[] {
  const shapes = [
    () => JSON.stringify({ member: 'guest', ts: iso(nowMs), ...(stream === 'playback' ? { hours: 1 } : { action: 'browse' }) }),
    () => JSON.stringify({ member: 7, ...(stream === 'playback' ? { hours: 'lots' } : { action: 'browse' }) }),
    () => '{"member": 12, "ts": ',
  ];
  return Array.from({ length: n }, (_, i) => shapes[i % shapes.length]!());
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
