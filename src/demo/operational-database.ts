import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { DemoWeek } from './demo-week.ts';
import { SeededRandom } from './seeded-random.ts';

/** A member of the synthetic service: who they are and which day they joined (within the week or before). */
export interface DemoMember {
  id: number;
  country: string;
  planId: number;
  device: string;
  /** YYYY-MM-DD. */
  joinedOn: string;
}

const COUNTRIES = ['US', 'BR', 'DE', 'FR', 'IN', 'JP', 'MX', 'NL', 'GB', 'KR'];
const DEVICES = ['tv', 'phone', 'tablet', 'browser', 'console'];
const PLANS = [
  { id: 1, name: 'basic', priceCents: 799, maxStreams: 1 },
  { id: 2, name: 'standard', priceCents: 1549, maxStreams: 2 },
  { id: 3, name: 'premium', priceCents: 2299, maxStreams: 4 },
];

/** The synthetic members: a third joined during the week, the rest before it. Same seed, same members. */
export function demoMembers(count: number, week: DemoWeek, seed: number): DemoMember[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const day = random.next() < 1 / 3 ? week.days[random.below(7)]!.iso : new Date(week.startMs - (1 + random.below(700)) * 86_400_000).toISOString().slice(0, 10);
    return { id: i + 1, country: random.pick(COUNTRIES), planId: 1 + random.below(PLANS.length), device: random.pick(DEVICES), joinedOn: day };
  });
}

/**
 * Writes the operational database the demo's snapshot jobs read: members, plans and devices in one
 * SQLite file (replaced whole, so a second run starts from the same rows). Devices are registered on
 * the member's join day, so a day's snapshot holds the members and devices known that day.
 */
export function writeOperationalDatabase(file: string, members: readonly DemoMember[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  for (const suffix of ['', '-wal', '-shm', '-journal']) if (existsSync(file + suffix)) rmSync(file + suffix);
  const db = new BetterSqlite3(file);
  try {
    db.exec(`
      create table plans (id integer primary key, name text not null, price_cents integer not null, max_streams integer not null);
      create table members (id integer primary key, name text not null, country text not null, plan_id integer not null references plans(id), joined_on text not null);
      create table devices (id integer primary key, member_id integer not null references members(id), kind text not null, registered_on text not null);
    `);
    const plan = db.prepare('insert into plans values (?, ?, ?, ?)');
    const member = db.prepare('insert into members values (?, ?, ?, ?, ?)');
    const device = db.prepare('insert into devices (member_id, kind, registered_on) values (?, ?, ?)');
    db.transaction(() => {
      for (const p of PLANS) plan.run(p.id, p.name, p.priceCents, p.maxStreams);
      for (const m of members) {
        member.run(m.id, `member ${m.id}`, m.country, m.planId, m.joinedOn);
        device.run(m.id, m.device, m.joinedOn);
      }
    })();
  } finally {
    db.close();
  }
}

/** What `quarry snapshot` copies for one day: each table with the rows that existed that day. */
export function snapshotSources(iso: string): { source: string; into: string; where?: string }[] {
  return [
    { source: 'main.plans', into: 'plans' },
    { source: 'main.members', into: 'members', where: `joined_on <= '${iso}'` },
    { source: 'main.devices', into: 'devices', where: `registered_on <= '${iso}'` },
  ];
}
