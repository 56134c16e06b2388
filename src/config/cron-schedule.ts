/** One field of a cron expression: its name in messages, its range, and names its values may take. */
interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: 'day of month', min: 1, max: 31 };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] };
// 0 and 7 are both Sunday, as in Unix cron and Spring.
const DAY_OF_WEEK: FieldSpec = { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] };

// A schedule that fires less often than this (or never, like February 30) is refused.
const HORIZON_MS = 5 * 366 * 86_400_000;

/** A cron expression that does not parse; the message names the field and what is wrong with it. */
export class CronSyntaxError extends Error {}

/**
 * A cron schedule in UTC, for the leader's periodic duties. Takes Spring's six fields, as Genie's
 * configuration writes them (`0 0 0 * * *`: second minute hour day-of-month month day-of-week), or
 * Unix cron's five (no seconds: `0 3 * * *`). Fields accept `*` (also `?`), numbers, ranges `a-b`,
 * steps `*\/n` and `a-b/n`, lists `a,b`, and month and weekday names (`JAN`, `MON-FRI`). When both
 * day fields are restricted, a day matches if either does, as in Unix cron.
 */
export class CronSchedule {
  private constructor(
    readonly expression: string,
    private readonly seconds: ReadonlySet<number>,
    private readonly minutes: ReadonlySet<number>,
    private readonly hours: ReadonlySet<number>,
    private readonly daysOfMonth: ReadonlySet<number> | undefined,
    private readonly months: ReadonlySet<number>,
    private readonly daysOfWeek: ReadonlySet<number> | undefined,
  ) {}

  static parse(expression: string): CronSchedule {
    const parts = expression.trim().split(/\s+/);
    if (parts.length !== 5 && parts.length !== 6) {
      throw new CronSyntaxError(`a cron expression has 6 fields (second minute hour day-of-month month day-of-week) or 5 without seconds; ${JSON.stringify(expression)} has ${parts.length}`);
    }
    const [second, minute, hour, dom, month, dow] = parts.length === 6 ? parts : ['0', ...parts];
    const unrestricted = (text: string) => text === '*' || text === '?';
    const days = (text: string, spec: FieldSpec) => (unrestricted(text) ? undefined : parseField(text, spec));
    const weekdays = days(dow!, DAY_OF_WEEK);
    if (weekdays?.delete(7)) weekdays.add(0);
    const schedule = new CronSchedule(
      expression.trim(),
      parseField(second!, SECOND),
      parseField(minute!, MINUTE),
      parseField(hour!, HOUR),
      days(dom!, DAY_OF_MONTH),
      parseField(month!, MONTH),
      weekdays,
    );
    const probe = Date.UTC(2024, 0, 1);
    if (schedule.next(probe) === undefined) throw new CronSyntaxError(`the cron expression ${JSON.stringify(expression)} never fires (no such date)`);
    return schedule;
  }

  /** The first time after `after` (epoch ms, exclusive) the schedule fires, or undefined within five years. */
  next(after: number): number | undefined {
    const t = new Date(Math.floor(after / 1000) * 1000 + 1000);
    const limit = after + HORIZON_MS;
    while (t.getTime() <= limit) {
      if (!this.months.has(t.getUTCMonth() + 1)) {
        t.setUTCMonth(t.getUTCMonth() + 1, 1);
        t.setUTCHours(0, 0, 0, 0);
      } else if (!this.dayMatches(t)) {
        t.setUTCDate(t.getUTCDate() + 1);
        t.setUTCHours(0, 0, 0, 0);
      } else if (!this.hours.has(t.getUTCHours())) {
        t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      } else if (!this.minutes.has(t.getUTCMinutes())) {
        t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      } else if (!this.seconds.has(t.getUTCSeconds())) {
        t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
      } else {
        return t.getTime();
      }
    }
    return undefined;
  }

  private dayMatches(t: Date): boolean {
    const byMonth = this.daysOfMonth?.has(t.getUTCDate());
    const byWeek = this.daysOfWeek?.has(t.getUTCDay());
    if (byMonth === undefined) return byWeek ?? true;
    if (byWeek === undefined) return byMonth;
    return byMonth || byWeek;
  }
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') throw syntax(spec, text, `${JSON.stringify(part)} is not a value, range or step`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw syntax(spec, text, `the step in ${JSON.stringify(part)} must be a positive whole number`);
    let low: number;
    let high: number;
    if (range === '*' || range === '?') {
      [low, high] = [spec.min, spec.max];
    } else {
      const [from, to, rest] = range.split('-');
      if (rest !== undefined) throw syntax(spec, text, `${JSON.stringify(range)} is not a range`);
      low = value(from!, spec, text);
      // `a/n` runs from a to the end of the range, as in Spring and Vixie cron.
      high = to !== undefined ? value(to, spec, text) : stepText !== undefined ? spec.max : low;
      if (high < low) throw syntax(spec, text, `the range ${JSON.stringify(range)} runs backwards`);
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return values;
}

function value(text: string, spec: FieldSpec, field: string): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + (spec.min === 1 ? 1 : 0) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
    const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
    throw syntax(spec, field, `${JSON.stringify(text)} is not ${spec.min}-${spec.max}${names}`);
  }
  return n;
}

function syntax(spec: FieldSpec, field: string, problem: string): CronSyntaxError {
  return new CronSyntaxError(`the ${spec.name} field ${JSON.stringify(field)}: ${problem}`);
}
