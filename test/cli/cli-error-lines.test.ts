import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError, errorLine, isInternalError } from '../../src/cli/cli-error.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { NotFoundError } from '../../src/errors/not-found-error.ts';

describe('errorLine', () => {
  it("drops DuckDB's error class and the SQL it appends", () => {
    const duck = new Error('IO Error: No files found that match the pattern "missing.csv"\n\nLINE 1: DESCRIBE SELECT * FROM (SELECT * FROM read_csv(\'missing.csv\'))\n                ^');
    assert.equal(errorLine(duck), 'No files found that match the pattern "missing.csv"');
    assert.equal(isInternalError(duck), false);
  });

  it('keeps the message of errors written for users, and says what to do about a busy port', () => {
    assert.equal(errorLine(new CliError('x.csv: no such file')), 'x.csv: no such file');
    assert.equal(errorLine(new ConfigError('QUARRY_PORT', 'must be a number')), 'Invalid configuration: QUARRY_PORT must be a number');
    const busy = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080'), { code: 'EADDRINUSE', address: '127.0.0.1', port: 8080, syscall: 'listen' });
    assert.equal(errorLine(busy), '127.0.0.1:8080 is already in use by another process: stop it, or choose another port (--port N or QUARRY_PORT)');
    for (const error of [new CliError('a'), new ConfigError('b', 'c'), busy]) assert.equal(isInternalError(error), false);
  });

  it('shows the first line of anything else and calls it internal', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')\nmore");
    assert.equal(errorLine(bug), "Cannot read properties of undefined (reading 'x')");
    assert.equal(isInternalError(bug), true);
    assert.equal(isInternalError(new NotFoundError('Table a.b does not exist')), false);
  });
});
