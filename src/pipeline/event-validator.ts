import type { StreamDefinition, StreamField } from './stream-definition.ts';
import { topLevelKeyCount } from './top-level-keys.ts';

/**
 * An event checked against its stream: the row to write, or the reason it is refused. `asSent`
 * says the row's values are the event's own (no value converted; nulls may be left out of the row),
 * so the event's JSON text may stand for the row.
 */
export type Validated = { ok: true; row: Record<string, unknown>; asSent: boolean } | { ok: false; reason: string };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// ISO 8601 date-time with seconds; fractions and an offset are optional (a missing offset means UTC).
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * Checks events against a stream's fields. Rows come out with values in the JSON form the table
 * writer reads: timestamps as ISO strings in UTC (epoch milliseconds are accepted and converted),
 * decimals as strings, longs as numbers or digit strings.
 */
export class EventValidator {
  private readonly fields: Map<string, StreamField>;
  private readonly required: StreamField[];

  constructor(definition: StreamDefinition) {
    this.fields = new Map(definition.fields.map((f) => [f.name, f]));
    this.required = definition.fields.filter((f) => f.required);
  }

  /** Checks `event`; `text`, its JSON text when it has one, is checked for duplicate keys before the row may be `asSent`. */
  validate(event: unknown, text?: string): Validated {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      return { ok: false, reason: `an event must be a JSON object, got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}` };
    }
    const input = event as Record<string, unknown>;
    const row: Record<string, unknown> = {};
    let asSent = true;
    let keys = 0;
    for (const name in input) {
      if (!Object.hasOwn(input, name)) continue;
      keys++;
      const value = input[name];
      const field = this.fields.get(name);
      if (!field) return { ok: false, reason: `field ${JSON.stringify(name)} is not in the stream's schema (fields: ${[...this.fields.keys()].join(', ')})` };
      if (value === null) {
        if (field.required) return { ok: false, reason: `required field ${JSON.stringify(name)} is null` };
        continue;
      }
      const converted = convert(field.type, value);
      if (converted === undefined) return { ok: false, reason: `field ${JSON.stringify(name)} must be ${describe(field.type)}, got ${preview(value)}` };
      if (converted !== value) asSent = false;
      row[name] = converted;
    }
    for (const field of this.required) {
      if (!(field.name in row)) return { ok: false, reason: `required field ${JSON.stringify(field.name)} is missing` };
    }
    return { ok: true, row, asSent: asSent && (text === undefined || topLevelKeyCount(text) === keys) };
  }
}

/**
 * The start of a refused value for its reason. Arrays and objects are named, not encoded: a value
 * nested thousands deep (JSON.parse reads it) would overflow the stack in JSON.stringify.
 */
function preview(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return JSON.stringify(value).slice(0, 60);
}

function convert(type: string, value: unknown): unknown {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'int':
      return Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX ? value : undefined;
    case 'long':
      if (Number.isSafeInteger(value)) return value;
      return typeof value === 'string' && /^-?\d{1,19}$/.test(value) && BigInt(value) >= -(2n ** 63n) && BigInt(value) < 2n ** 63n ? value : undefined;
    case 'float':
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'uuid':
      return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined;
    case 'date':
      // The round trip refuses dates that do not exist (2024-02-30), which the table writer would choke on.
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value)) && new Date(Date.parse(value)).toISOString().startsWith(value) ? value : undefined;
    case 'timestamp':
    case 'timestamptz':
      return timestamp(value);
    default:
      if (type.startsWith('decimal(')) {
        const [precision, scale] = type.slice(8, -1).split(',').map((n) => Number(n.trim()));
        const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value : undefined;
        if (text === undefined || !DECIMAL.test(text)) return undefined;
        const [whole, fraction = ''] = text.replace('-', '').split('.');
        return fraction.length <= scale && whole.replace(/^0+/, '').length <= precision - scale ? text : undefined;
      }
      return undefined;
  }
}

function timestamp(value: unknown): string | undefined {
  // Most producers send what toISOString writes; checking that form digit by digit is far cheaper
  // than the regular expressions, Date.parse and toISOString below (the collector's largest cost).
  if (typeof value === 'string' && isCanonicalUtc(value)) return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) && Math.abs(value) < 8.64e15 ? new Date(value).toISOString() : undefined;
  if (typeof value !== 'string' || !TIMESTAMP.test(value)) return undefined;
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(value);
  const ms = Date.parse(hasOffset ? value : `${value.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) return undefined;
  // Millisecond precision: the ISO form is what the table writer parses, whatever the input's offset.
  return new Date(ms).toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether `value` is a real instant written as `YYYY-MM-DDTHH:MM:SS.sssZ` (the form toISOString writes for years 0–9999). */
function isCanonicalUtc(value: string): boolean {
  if (value.length !== 24 || value.charCodeAt(4) !== 0x2d || value.charCodeAt(7) !== 0x2d || value.charCodeAt(10) !== 0x54) return false;
  if (value.charCodeAt(13) !== 0x3a || value.charCodeAt(16) !== 0x3a || value.charCodeAt(19) !== 0x2e || value.charCodeAt(23) !== 0x5a) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return false;
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  return hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60 && digits(value, 20, 3) >= 0;
}

/** The number written by `length` decimal digits of `text` from `at`; -1 when one is not a digit. */
function digits(text: string, at: number, length: number): number {
  let out = 0;
  for (let i = at; i < at + length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    out = out * 10 + d;
  }
  return out;
}

function describe(type: string): string {
  switch (type) {
    case 'int':
      return 'an integer in 32 bits';
    case 'long':
      return 'an integer (a number up to 2^53, or a string of digits)';
    case 'float':
    case 'double':
      return 'a number';
    case 'timestamp':
    case 'timestamptz':
      return 'an ISO 8601 date-time (2024-05-01T12:00:00Z) or epoch milliseconds';
    case 'date':
      return 'a date YYYY-MM-DD';
    default:
      return type.startsWith('decimal(') ? `a decimal that fits ${type}` : `a ${type}`;
  }
}
