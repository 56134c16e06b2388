import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import type { CliCommand } from './command.ts';

const HELP = `Usage: quarry token <create|list|revoke> [options]

Manages the API tokens users and services authenticate with when the server runs with
QUARRY_AUTH_MODE=tokens. Works directly on the metadata database (QUARRY_DATABASE_URL, else SQLite
in QUARRY_HOME), as the server does, so it needs no running server and no token of its own.
Only a hash of each token is stored: the token itself is printed once, by create.

Commands:
  create --user NAME [--admin] [--description TEXT]
                 Make a token for NAME (an admin with --admin) and print it. Send it as
                 "Authorization: Bearer <token>", or as the password of HTTP Basic.
  list           Every token: id, user, admin, created, revoked (never the secret)
  revoke ID      Revoke a token at once, on every server node

Options:
  --json         Print JSON instead of text
  -h, --help     Show this help

Admins (and, the same, POST/GET/DELETE /api/admin/v1/tokens) may also manage tokens over HTTP.
`;

export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'Create, list and revoke API tokens (QUARRY_AUTH_MODE=tokens)',
  help: HELP,
  async run(args) {
    const [sub, ...rest] = args;
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { user: { type: 'string' }, admin: { type: 'boolean' }, description: { type: 'string' }, json: { type: 'boolean' } },
    });
    if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') {
      process.stderr.write(`quarry token: ${sub === undefined ? 'a command is needed' : `unknown command '${sub}'`}: create, list or revoke. Run 'quarry token --help'.\n`);
      return 2;
    }
    if (sub === 'create' && !values.user) {
      process.stderr.write("quarry token create: --user NAME is required (the user the token authenticates as)\n");
      return 2;
    }
    if (sub === 'revoke' && positionals.length !== 1) {
      process.stderr.write("quarry token revoke: name one token id (see 'quarry token list')\n");
      return 2;
    }
    let config;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        return 2;
      }
      throw error;
    }
    const [{ openDatabase }, { ApiTokens }] = await Promise.all([import('../db/database.ts'), import('../auth/api-tokens.ts')]);
    const database = await openDatabase(config.database);
    const tokens = new ApiTokens(database);
    const print = (text: string, json: unknown) => process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : text);
    try {
      switch (sub) {
        case 'create': {
          const token = await tokens.create({ user: values.user!, admin: values.admin ?? false, description: values.description });
          print(`${token.token}\n`, token);
          process.stderr.write(`quarry: token ${token.id} for ${token.user}${token.admin ? ' (admin)' : ''}; it is shown only now, keep it secret\n`);
          if (config.auth.mode !== 'tokens') process.stderr.write(`quarry: note: QUARRY_AUTH_MODE is ${config.auth.mode}; tokens are checked only in mode tokens\n`);
          return 0;
        }
        case 'list': {
          const all = await tokens.list();
          const lines = all.map((t) => [t.id, t.user, t.admin ? 'admin' : 'user', new Date(t.created).toISOString(), t.revoked ? `revoked ${new Date(t.revoked).toISOString()}` : 'active', t.description ?? ''].join('\t'));
          print(all.length ? `${['ID\tUSER\tROLE\tCREATED\tSTATE\tDESCRIPTION', ...lines].join('\n')}\n` : 'No tokens.\n', all);
          return 0;
        }
        case 'revoke': {
          const id = positionals[0]!;
          if (!(await tokens.revoke(id))) {
            process.stderr.write(`quarry token revoke: no active token has id ${JSON.stringify(id)} (see 'quarry token list')\n`);
            return 1;
          }
          print(`Revoked token ${id}.\n`, { id, revoked: true });
          return 0;
        }
      }
    } finally {
      await database.close();
    }
  },
};
