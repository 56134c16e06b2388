import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CronSchedule, CronSyntaxError } from '../../src/config/cron-schedule.ts';

const at = (iso: string) => Date.parse(iso);
const next = (expression: string, after: string) => {
  const t = CronSchedule.parse(expression).next(at(after));
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe('cron schedule', () => {
  it("fires Genie's daily cleanup at midnight UTC, strictly after the time given", () => {
    assert.equal(next('0 0 0 * * *', '2026-12-04T17:30:00Z'), '2026-12-05T00:00:00.000Z');
    assert.equal(next('0 0 0 * * *', '2026-12-05T00:00:00Z'), '2026-12-06T00:00:00.000Z');
    assert.equal(next('0 0 0 * * *', '2026-12-31T23:59:59.500Z'), '2027-01-01T00:00:00.000Z');
  });

  it('takes five Unix fields, steps, ranges, lists and names', () => {
    assert.equal(next('*/15 * * * *', '2026-12-04T17:31:10Z'), '2026-12-04T17:45:00.000Z');
    assert.equal(next('0 30 9 * * MON-FRI', '2026-12-04T10:00:00Z'), '2026-12-07T09:30:00.000Z', 'Friday after 9:30 → Monday');
    assert.equal(next('0 0 12 1,15 * ?', '2026-12-02T00:00:00Z'), '2026-12-15T12:00:00.000Z');
    assert.equal(next('0 0 3 * jan,jul *', '2026-12-04T00:00:00Z'), '2027-01-01T03:00:00.000Z');
    assert.equal(next('10-20/5 * * * * *', '2026-12-04T00:00:12Z'), '2026-12-04T00:00:15.000Z');
    assert.equal(next('0 5/20 * * * *', '2026-12-04T00:30:00Z'), '2026-12-04T00:45:00.000Z', 'a/n runs to the end of the range');
    assert.equal(next('0 0 0 * * 7', '2026-12-04T00:00:00Z'), '2026-12-06T00:00:00.000Z', '7 is Sunday too');
  });

  it('matches a day when either restricted day field does, as Unix cron', () => {
    // The 13th, or any Friday: Friday 4 December comes first.
    assert.equal(next('0 0 0 13 * FRI', '2026-12-01T00:00:00Z'), '2026-12-04T00:00:00.000Z');
    assert.equal(next('0 0 0 13 * FRI', '2026-12-11T00:00:01Z'), '2026-12-13T00:00:00.000Z');
  });

  it('finds leap days, and refuses dates that never come', () => {
    assert.equal(next('0 0 0 29 2 *', '2026-01-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
    assert.throws(() => CronSchedule.parse('0 0 0 30 2 *'), /never fires/);
  });

  it('names the field and the problem in every syntax error', () => {
    const cases: [string, RegExp][] = [
      ['0 0 0 * *  * *', /has 7/],
      ['0 0 24 * * *', /the hour field "24": "24" is not 0-23/],
      ['0 0 0 * FOO *', /the month field "FOO": "FOO" is not 1-12 or JAN-DEC/],
      ['0 0 0 * * MON-SUN', /the day of week field "MON-SUN": the range "MON-SUN" runs backwards/],
      ['0 */0 * * * *', /the minute field "\*\/0": the step in "\*\/0" must be a positive whole number/],
      ['0 0 0 1-2-3 * *', /the day of month field "1-2-3": "1-2-3" is not a range/],
      ['0 0 0 ,1 * *', /is not a value, range or step/],
    ];
    for (const [expression, message] of cases) assert.throws(() => CronSchedule.parse(expression), (e: unknown) => e instanceof CronSyntaxError && message.test(e.message), expression);
  });
});
