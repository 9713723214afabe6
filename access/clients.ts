/**
 * API clients and their bearer tokens.
 *
 * A token is 32 random bytes (256 bits, node:crypto) in base64url behind the prefix `ahk_`. It is
 * shown once, at creation or rotation, and only its SHA-256 is stored. A fast hash is enough here:
 * slow password hashes protect low-entropy secrets people choose, and nobody can enumerate 2^256
 * tokens against a leaked hash. A look-up (one indexed read) is reused by a hub process for at most
 * TOKEN_CACHE_MS (never past the token's expiry), so a revocation or an expiry takes effect within
 * that time.
 *
 * Expiry is judged by the hub database's clock, as every process sharing it judges it (and the
 * alert pushes to a client: db/alert-delivery): the look-up itself answers whether the token has
 * expired and how long it has left, and the cache counts that time down on this process's monotonic
 * clock, so a process whose clock is off neither lengthens nor shortens a token's life. The times a
 * client's row records (created, rotated, revoked) are the database's too.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { asc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { AccessDb } from '../db/access/db';
import { dbNow, expiredByDb, microsUntilByDb } from '../db/instants';
import { apiClient } from '../db/access/schema';
import { preparedPer } from '../db/prepared';
import { CLIENT_OFFICE_CODES, HUB_LEDGER_SOURCES, type OfficeCode as DepartmentCode } from '../domain/departments';
import { unknownOfficeReason } from '../domain/cases/offices';
import { isDivisionCode } from '../domain/division-code';
import type { Caller } from './decide';
import { activeRoleOffices, charityClientProblem, isRole, ROLE_OFFICES_ENV, ROLES, rolesNotForOffice, rolesProblem, type Role } from './policy';


export const TOKEN_PREFIX = 'ahk_';
const TOKEN_SHAPE = /^ahk_[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/** The SHA-256 of a token, in hex: one `crypto.hash` call, no Hash object (it runs on every request). */
export function tokenHash(token: string): string {
  return crypto.hash('sha256', token, 'hex');
}

export interface ClientSpec {
  name: string;
  department: DepartmentCode;
  regionScope: string;
  roles: readonly Role[];
  /** DATETIME text (UTC) or null for no expiry. */
  expiresAt?: string | null;
  /** Every request must name its officer (X-Officer); false by default. */
  requireOfficer?: boolean;
}

export type ClientStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED';

export interface ClientInfo {
  id: number;
  name: string;
  department: DepartmentCode;
  regionScope: string;
  roles: Role[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  rotatedAt: string | null;
  requireOfficer: boolean;
  status: ClientStatus;
}

/**
 * What the client tools refuse, each with a stable code (`npm run clients` prints `error: CODE: …`):
 * a script making clients tells an existing name from a mistyped role by the code, not the words.
 */
export type ClientErrorCode =
  | 'MALFORMED_NAME'
  | 'UNKNOWN_DEPARTMENT'
  | 'NOT_AN_OFFICE'
  | 'MALFORMED_DIVISION_CODE'
  | 'ROLE_REQUIRED'
  | 'UNKNOWN_ROLE'
  | 'CHARITY_ROLE_NOT_EXCLUSIVE'
  | 'CHARITY_ROLE_DEPARTMENT'
  | 'CHARITY_DEPARTMENT_ROLE'
  | 'ROLE_NOT_FOR_DEPARTMENT'
  | 'CLIENT_EXISTS'
  | 'CLIENT_NOT_FOUND'
  | 'CLIENT_REVOKED';

/** A spec that cannot be stored, or a client that is not there to change; the message says which part and why, `code` is stable. */
export class ClientSpecError extends Error {
  override name = 'ClientSpecError';
  constructor(
    message: string,
    readonly code: ClientErrorCode,
  ) {
    super(`${code}: ${message}`);
  }
}

const NAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export function validateSpec(spec: ClientSpec): void {
  if (!NAME.test(spec.name)) throw new ClientSpecError('name: 2-64 characters, lower-case letters, digits, ".", "_" or "-", starting with a letter or digit', 'MALFORMED_NAME');
  if (!CLIENT_OFFICE_CODES.includes(spec.department)) {
    const ledger = (HUB_LEDGER_SOURCES as readonly string[]).includes(spec.department) ? `${unknownOfficeReason(spec.department)}; ` : '';
    throw new ClientSpecError(`department: ${ledger}one of ${CLIENT_OFFICE_CODES.join(', ')}`, ledger ? 'NOT_AN_OFFICE' : 'UNKNOWN_DEPARTMENT');
  }
  if (!isDivisionCode(spec.regionScope)) throw new ClientSpecError('scope: a division code of 6 (city or county), 9 (township) or 12 digits', 'MALFORMED_DIVISION_CODE');
  if (spec.roles.length === 0) throw new ClientSpecError(`roles: at least one of ${ROLES.join(', ')}`, 'ROLE_REQUIRED');
  for (const r of spec.roles) if (!isRole(r)) throw new ClientSpecError(`roles: unknown role ${JSON.stringify(r)}; roles are ${ROLES.join(', ')}`, 'UNKNOWN_ROLE');
  const problem = rolesProblem(spec.roles);
  if (problem) throw new ClientSpecError(problem, 'CHARITY_ROLE_NOT_EXCLUSIVE');
  const charity = charityClientProblem(spec.department, spec.roles);
  if (charity) throw new ClientSpecError(charity.message, charity.code);
  const notHeld = rolesNotForOffice(spec.roles, spec.department);
  if (notHeld.length > 0) throw new ClientSpecError(`roles: ${notHeldWhy(notHeld, spec.department)}`, 'ROLE_NOT_FOR_DEPARTMENT');
}

/** Which offices may hold each role of `roles` instead, as the policy in force says (ROLE_OFFICES, widened by AIDHUB_ROLE_OFFICES). */
function notHeldWhy(roles: readonly Role[], department: string): string {
  const offices = (r: Role) => activeRoleOffices().find((e) => e.role === r && e.purpose === undefined)?.offices.join(', ');
  return `${roles.map((r) => `${r} is held only by clients of ${offices(r)}`).join('; ')}, not ${department} (docs/access.md "Which offices may hold a role"; a site widens it with ${ROLE_OFFICES_ENV})`;
}

function parseRoles(stored: string): Role[] {
  return stored.split(',').filter(isRole);
}

/** A client's row as every read of it selects it: with whether it has expired by the database's clock (expiredByDb). */
const clientColumns = { ...getTableColumns(apiClient), expired: expiredByDb(apiClient.expiresAt) };
type ClientRow = typeof apiClient.$inferSelect & { expired: number };

function statusOf(row: ClientRow): ClientStatus {
  if (row.revokedAt !== null) return 'REVOKED';
  if (row.expired === 1) return 'EXPIRED';
  return 'ACTIVE';
}

function infoOf(row: ClientRow): ClientInfo {
  return {
    id: row.id,
    name: row.name,
    department: row.department,
    regionScope: row.regionScope,
    roles: parseRoles(row.roles),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    rotatedAt: row.rotatedAt,
    requireOfficer: row.requireOfficer,
    status: statusOf(row),
  };
}

/** What reads and writes a client: the hub's access database, or a transaction of it (the change with its audit entry, a charity's client with its organisation). */
export type ClientsDb = Pick<AccessDb, 'select' | 'insert' | 'update'>;

async function byName(db: ClientsDb, name: string) {
  const [row] = await db.select(clientColumns).from(apiClient).where(eq(apiClient.name, name));
  if (!row) throw new ClientSpecError(`no client named ${JSON.stringify(name)}`, 'CLIENT_NOT_FOUND');
  return row;
}

export async function createClient(db: ClientsDb, spec: ClientSpec): Promise<{ client: ClientInfo; token: string }> {
  validateSpec(spec);
  const [existing] = await db.select({ id: apiClient.id }).from(apiClient).where(eq(apiClient.name, spec.name));
  if (existing) throw new ClientSpecError(`a client named ${JSON.stringify(spec.name)} exists already; rotate or revoke it`, 'CLIENT_EXISTS');
  const token = newToken();
  await db.insert(apiClient).values({
    name: spec.name,
    department: spec.department,
    regionScope: spec.regionScope,
    roles: [...new Set(spec.roles)].join(','),
    tokenHash: tokenHash(token),
    createdAt: dbNow(),
    expiresAt: spec.expiresAt ?? null,
    requireOfficer: spec.requireOfficer ?? false,
  });
  return { client: infoOf(await byName(db, spec.name)), token };
}

export async function listClients(db: AccessDb): Promise<ClientInfo[]> {
  return (await db.select(clientColumns).from(apiClient).orderBy(asc(apiClient.name))).map(infoOf);
}

/** A client whose token works holding roles its office may not hold (rolesNotForOffice), which the hub ignores. */
export interface ClientWithIgnoredRoles {
  id: number;
  name: string;
  department: DepartmentCode;
  ignoredRoles: Role[];
}

/**
 * The active clients (neither revoked nor expired: a token that works) holding a role their office
 * may not hold by ROLE_OFFICES in force (a client stored before the rule): they keep their other
 * roles and are refused that role's purposes (ROLE_NOT_FOR_DEPARTMENT) at each request, as `npm run
 * clients -- list` marks them. One statement (listClients). Told at start-up and counted at each
 * scrape (server/app.ts), so an operator learns of them before a department's job is refused.
 */
export async function clientsWithIgnoredRoles(db: AccessDb): Promise<ClientWithIgnoredRoles[]> {
  return (await listClients(db)).flatMap((c) => {
    const ignoredRoles = c.status === 'ACTIVE' ? rolesNotForOffice(c.roles, c.department) : [];
    return ignoredRoles.length > 0 ? [{ id: c.id, name: c.name, department: c.department, ignoredRoles }] : [];
  });
}


/**
 * What is told of a change that was made (not of one that found the client as asked already): the
 * client as it was, for the change's audit entry written in the same transaction (tools/clients.ts).
 */
export type ClientChanged = (client: ClientInfo) => Promise<void>;

/**
 * Sets a client's roles (e.g. a demo client whose roles the hub's definition changed). Its token
 * stays valid; a revoked client stays revoked. `changed` is told only when the roles change.
 */
export async function setClientRoles(db: ClientsDb, name: string, roles: readonly Role[], changed?: ClientChanged): Promise<ClientInfo> {
  const row = await byName(db, name);
  validateSpec({ ...infoOf(row), roles: [...roles], expiresAt: null });
  const wanted = [...new Set(roles)].join(',');
  if (row.roles !== wanted) {
    await db.update(apiClient).set({ roles: wanted }).where(eq(apiClient.id, row.id));
    await changed?.(infoOf(row));
  }
  return infoOf(await byName(db, name));
}

/**
 * Whether every request of the client must name its officer (X-Officer). Takes effect within
 * TOKEN_CACHE_MS, as a revocation does.
 */
export async function setRequireOfficer(db: ClientsDb, name: string, required: boolean, changed?: ClientChanged): Promise<ClientInfo> {
  const row = await byName(db, name);
  if (row.requireOfficer !== required) {
    await db.update(apiClient).set({ requireOfficer: required }).where(eq(apiClient.id, row.id));
    await changed?.(infoOf(row));
  }
  return infoOf(await byName(db, name));
}

/** A new token for the client; the old one stops working at once. `expiresAt` undefined keeps the expiry. */
export async function rotateClient(db: ClientsDb, name: string, expiresAt?: string | null): Promise<{ client: ClientInfo; token: string }> {
  const row = await byName(db, name);
  if (row.revokedAt !== null) throw new ClientSpecError(`client ${JSON.stringify(name)} is revoked; create a new one`, 'CLIENT_REVOKED');
  // A client stored before the rule, holding a role its office may not hold: no new token is issued
  // for it (its role counts for nothing at request time, roleServes); revoke it and create one.
  const notHeld = rolesNotForOffice(parseRoles(row.roles), row.department);
  if (notHeld.length > 0) throw new ClientSpecError(`client ${JSON.stringify(name)}: ${notHeldWhy(notHeld, row.department)}; revoke it and create a client with the roles its office may hold`, 'ROLE_NOT_FOR_DEPARTMENT');
  const token = newToken();
  await db
    .update(apiClient)
    .set({ tokenHash: tokenHash(token), rotatedAt: dbNow(), ...(expiresAt !== undefined ? { expiresAt } : {}) })
    .where(eq(apiClient.id, row.id));
  return { client: infoOf(await byName(db, name)), token };
}

/** Revokes the client; one revoked already is left as it is (`changed` is not told). */
export async function revokeClient(db: ClientsDb, name: string, changed?: ClientChanged): Promise<ClientInfo> {
  const row = await byName(db, name);
  if (row.revokedAt === null) {
    await db.update(apiClient).set({ revokedAt: dbNow() }).where(eq(apiClient.id, row.id));
    await changed?.(infoOf(row));
  }
  return infoOf(await byName(db, name));
}

/**
 * The look-up every request makes, prepared once per database handle: one statement, which also
 * answers by the database's clock whether the token has expired and how long it has left.
 */
const byTokenHash = preparedPer((db: AccessDb) =>
  db
    .select({ ...clientColumns, expiresInUs: microsUntilByDb(apiClient.expiresAt) })
    .from(apiClient)
    .where(eq(apiClient.tokenHash, sql.placeholder('hash')))
    .prepare(),
);

/**
 * Why a request is not authenticated. TOKEN_AMBIGUOUS: it carried more than one Authorization header
 * (access/http.ts authorizationRepeated), judged before any token is looked up.
 */
export const AUTH_FAILURES = ['TOKEN_MISSING', 'TOKEN_MALFORMED', 'TOKEN_AMBIGUOUS', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_REVOKED'] as const;
export type AuthFailure = (typeof AUTH_FAILURES)[number];
export type Authentication = { ok: true; caller: Caller } | { ok: false; reason: AuthFailure };

/** The token an `Authorization: Bearer …` header carries, or why it carries none. */
function bearerToken(authorization: string | undefined): { token: string } | { ok: false; reason: AuthFailure } {
  if (!authorization) return { ok: false, reason: 'TOKEN_MISSING' };
  const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization);
  if (!m || !TOKEN_SHAPE.test(m[1])) return { ok: false, reason: 'TOKEN_MALFORMED' };
  return { token: m[1] };
}

/**
 * A client row as a caller, or why it is not one now (its expiry by the database's clock); with the
 * time its expiry leaves it by that clock (ms), if it has one.
 */
function judge(row: (ClientRow & { expiresInUs: number | null }) | undefined): Authentication & { expiresInMs?: number } {
  if (!row) return { ok: false, reason: 'TOKEN_INVALID' };
  const status = statusOf(row);
  if (status === 'REVOKED') return { ok: false, reason: 'TOKEN_REVOKED' };
  if (status === 'EXPIRED') return { ok: false, reason: 'TOKEN_EXPIRED' };
  return {
    ok: true,
    caller: { clientId: row.id, name: row.name, department: row.department, regionScope: row.regionScope, roles: parseRoles(row.roles), requireOfficer: row.requireOfficer, expiresAt: row.expiresAt },
    expiresInMs: row.expiresInUs === null ? undefined : row.expiresInUs / 1000,
  };
}

/** The caller an `Authorization: Bearer …` header names, or why there is none. */
export async function authenticate(db: AccessDb, authorization: string | undefined): Promise<Authentication> {
  const bearer = bearerToken(authorization);
  if (!('token' in bearer)) return bearer;
  const [row] = await byTokenHash(db).execute({ hash: tokenHash(bearer.token) });
  const { expiresInMs: _expiry, ...auth } = judge(row);
  return auth;
}

/** Entries kept at most; past it the cache starts afresh (a flood of distinct valid tokens is not a thing). */
const TOKEN_CACHE_MAX = 10_000;

/**
 * Token look-ups with their successes kept for `ttlMs`: a client's stream of requests costs one
 * look-up per period instead of one round trip to the hub database per request. The price is
 * stated, not hidden: a revoked or rotated token goes on working for at most `ttlMs` in each hub
 * process (each keeps its own cache), and an expiring one never past its expiry. Failures are never
 * kept, so a new or re-issued token works at once. `ttlMs` 0: every request looks its token up.
 *
 * An entry lasts the shorter of `ttlMs` and the time the look-up found the token's expiry leaves it
 * by the database's clock, counted on `nowMs`, this process's monotonic clock (performance.now): the
 * process's wall clock, set wrong or stepped, neither keeps an expired token nor drops a valid one.
 */
export class TokenCache {
  private readonly entries = new Map<string, { caller: Caller; untilMs: number }>();

  constructor(
    private readonly db: AccessDb,
    readonly ttlMs: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /**
   * What `authenticate` answers without a look-up, at once rather than as a promise: the caller of
   * a token kept, or why a header carries no token. Null when only a look-up can tell (and with
   * `ttlMs` 0). The access middleware asks this first: a client's every request but one a period is
   * answered here, and an `await` costs promises on every request (docs/performance.md, session 31).
   */
  known(authorization: string | undefined): Authentication | null {
    if (this.ttlMs <= 0) return null;
    const bearer = bearerToken(authorization);
    if (!('token' in bearer)) return bearer;
    const kept = this.entries.get(tokenHash(bearer.token));
    return kept && kept.untilMs > this.nowMs() ? { ok: true, caller: kept.caller } : null;
  }

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    if (this.ttlMs <= 0) return authenticate(this.db, authorization);
    const bearer = bearerToken(authorization);
    if (!('token' in bearer)) return bearer;
    const hash = tokenHash(bearer.token);
    const now = this.nowMs();
    const kept = this.entries.get(hash);
    if (kept && kept.untilMs > now) return { ok: true, caller: kept.caller };
    const [row] = await byTokenHash(this.db).execute({ hash });
    const { expiresInMs, ...auth } = judge(row);
    if (auth.ok) {
      if (this.entries.size >= TOKEN_CACHE_MAX) this.entries.clear();
      this.entries.set(hash, { caller: auth.caller, untilMs: now + Math.min(this.ttlMs, expiresInMs ?? Infinity) });
    } else {
      this.entries.delete(hash);
    }
    return auth;
  }
}

/** Whether `token` is the current, usable token of the client named `name`. */
export async function tokenIsCurrent(db: AccessDb, name: string, token: string): Promise<boolean> {
  const [row] = await db.select(clientColumns).from(apiClient).where(eq(apiClient.name, name));
  return !!row && row.tokenHash === tokenHash(token) && statusOf(row) === 'ACTIVE';
}

export async function clientExists(db: AccessDb, name: string): Promise<boolean> {
  const [row] = await db.select({ id: apiClient.id }).from(apiClient).where(eq(apiClient.name, name));
  return !!row;
}
