import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { hashSecret, newSecret } from './secret-hash.ts';

/** What is known of a token, never its secret. */
export interface ApiToken {
  id: string;
  user: string;
  admin: boolean;
  description?: string;
  created: number;
  revoked?: number;
}

/** A token just made: the only moment its secret exists outside the caller's hands. */
export interface CreatedApiToken extends ApiToken {
  token: string;
}

/** Prefix of every API token, so a token pasted somewhere it should not be can be recognised. */
export const API_TOKEN_PREFIX = 'qrt_';
const USER_NAME = /^[^\s\p{Cc}]{1,255}$/u;

/**
 * API tokens (auth.mode tokens), kept in the metadata database so every server node and the
 * `quarry token` command see the same set. Only SHA-256 hashes of the secrets are stored; a token
 * is looked up by that hash on every request, so a revocation applies at once on every node.
 */
export class ApiTokens {
  constructor(private readonly database: Database) {}

  async create(input: { user: string; admin?: boolean; description?: string }, now = Date.now()): Promise<CreatedApiToken> {
    if (!USER_NAME.test(input.user)) throw new InvalidInputError(`A token's user must be 1 to 255 characters without spaces or control characters (got ${JSON.stringify(input.user)})`, 'user');
    const token = newSecret(API_TOKEN_PREFIX);
    const id = randomBytes(8).toString('hex');
    await this.database.db
      .insertInto('auth_token')
      .values({ id, user_name: input.user, admin: input.admin ? 1 : 0, secret_hash: hashSecret(token), description: input.description ?? null, created: now, revoked: null })
      .execute();
    return { id, user: input.user, admin: input.admin ?? false, description: input.description, created: now, token };
  }

  /** Every token, newest first, revoked ones included (marked). */
  async list(): Promise<ApiToken[]> {
    const rows = await this.database.db.selectFrom('auth_token').selectAll().orderBy('created', 'desc').orderBy('id').execute();
    return rows.map(toToken);
  }

  /** Revokes a token; false when no unrevoked token has this id. */
  async revoke(id: string, now = Date.now()): Promise<boolean> {
    const result = await this.database.db.updateTable('auth_token').set({ revoked: now }).where('id', '=', id).where('revoked', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The unrevoked token a secret belongs to, if any. */
  async verify(secret: string): Promise<ApiToken | undefined> {
    if (!secret.startsWith(API_TOKEN_PREFIX)) return undefined;
    const row = await this.database.db.selectFrom('auth_token').selectAll().where('secret_hash', '=', hashSecret(secret)).where('revoked', 'is', null).executeTakeFirst();
    return row ? toToken(row) : undefined;
  }
}

function toToken(row: { id: string; user_name: string; admin: number; description: string | null; created: number; revoked: number | null }): ApiToken {
  return {
    id: row.id,
    user: row.user_name,
    admin: Number(row.admin) === 1,
    ...(row.description !== null ? { description: row.description } : {}),
    created: Number(row.created),
    ...(row.revoked !== null ? { revoked: Number(row.revoked) } : {}),
  };
}
