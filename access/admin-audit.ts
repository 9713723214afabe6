/**
 * The hub's administration on the audit trail: what an operator does from the command line to an
 * API client (`npm run clients`: create, rotate, revoke, require-officer) or to its alert
 * subscriptions (`npm run subscriptions`: create, revoke, replay of dead letters) is an entry of the same
 * hash-chained trail, written in the transaction that makes the change, so neither is kept without
 * the other: a refused create (CLIENT_EXISTS) writes nothing, and a write whose entry cannot be
 * appended is rolled back.
 *
 * The entry's client is the client acted on (so `clientAccessLog(client)` lists its administration
 * beside its requests), its channel `ADMIN`, its officer the operator (`--by`, else the account and
 * host the tool runs as), its operation what was done; subject NONE, no purpose. It holds no token
 * nor a token's hash, nor a subscription's secret or callback URL.
 *
 * The append is the hub's own (access/audit.ts appendInTransaction): lock the chain head, link the
 * row to the last, move the head; the hub's writer takes the same lock, so the chain stays one. The hub's checkpoint
 * file (access/checkpoints.ts) does not list these rows (the tool is not the hub process), which
 * audit:verify accepts: it checks the rows the file records, and a signed checkpoint after one of
 * these rows vouches for it.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { eq, sql } from 'drizzle-orm';
import { format } from 'mysql2';
import { dbTime, type AccessDb } from '../db/access/db';
import { readDbNow, shownDbInstant } from '../db/instants';
import type { LockingTx } from '../db/locking';
import { accessLogHead, apiClient } from '../db/access/schema';
import { firstChars } from '../domain/text-length';
import { appendInTransaction, type ChainTransaction, type PendingRow } from './audit';
import { parseOfficer } from './officer';


/** The client an administration entry is about, as the trail keys a client. */
export interface AdministeredClient {
  id: number;
  name: string;
  department: string;
  regionScope: string;
}

/** The operation column's width (access_log.operation). */
const OPERATION_MAX = 128;

/**
 * Appends one administration entry in `tx` (READ COMMITTED, as the hub's appends: db/locking.ts) by
 * the hub's own append (appendInTransaction): `operator` did `operation` to `client`. Throws
 * AuditUnavailable when the chain has no head, so the transaction (and the change) is rolled back.
 */
export async function recordAdministration(tx: LockingTx, operator: string, client: AdministeredClient, operation: string): Promise<void> {
  const entry: PendingRow = {
    requestId: crypto.randomUUID(),
    clientId: client.id,
    clientName: client.name,
    department: client.department,
    regionScope: client.regionScope,
    purpose: null,
    caseReference: null,
    channel: 'ADMIN',
    operation: firstChars(operation, OPERATION_MAX),
    operationHash: null,
    subjectKind: 'NONE',
    subjectRef: null,
    subjectLabel: null,
    outcome: 'OK',
    officer: operator,
    rootFields: null,
    disclosed: null,
  };
  const chain: ChainTransaction = {
    lockHead: async () => (await tx.select({ lastSeq: accessLogHead.lastSeq, lastHash: accessLogHead.lastHash }).from(accessLogHead).where(eq(accessLogHead.id, 1)).for('update'))[0],
    // The database's clock, not the operator's machine's: the tool may run anywhere, its clock off.
    now: async () => dbTime(await readDbNow(tx)),
    // One statement at a time (the change's connection takes one a round trip), as the writer would send them.
    send: async (statements) => {
      for (const s of statements) await tx.execute(sql.raw(format(s.sql, s.values)));
    },
  };
  await appendInTransaction(chain, [entry]);
}

/** The operation of a create's entry: `clients create, roles …`, with officer and expiry when set. */
export function createdOperation(c: { roles: readonly string[]; requireOfficer: boolean; expiresAt: string | null }): string {
  return `clients create, roles ${c.roles.join(',')}${c.requireOfficer ? ', officer required' : ''}${c.expiresAt ? `, expires ${shownDbInstant(c.expiresAt)}` : ''}`;
}

/** The operation of a rotation's entry; `expiresAt` undefined: the expiry kept. */
export function rotatedOperation(expiresAt: string | null | undefined): string {
  return `clients rotate${expiresAt === undefined ? '' : expiresAt === null ? ', no expiry' : `, expires ${shownDbInstant(expiresAt)}`}`;
}

/**
 * The client of this name as an administration entry names it; a subscription's client that is no
 * longer there (removed by hand: the tools only revoke) is named with id 0, which no client has.
 */
export async function administeredClient(tx: Pick<AccessDb, 'select'>, name: string): Promise<AdministeredClient> {
  const [row] = await tx.select({ id: apiClient.id, name: apiClient.name, department: apiClient.department, regionScope: apiClient.regionScope }).from(apiClient).where(eq(apiClient.name, name));
  return row ?? { id: 0, name, department: '', regionScope: '' };
}

/** Characters an officer's identifier holds (access/officer.ts); others in an account or host name become `_`. */
const NOT_OFFICER_CHAR = /[^A-Za-z0-9._:@/-]/g;

/**
 * The account the process runs as, read from the system's user database (USER is unset under cron,
 * systemd, `docker exec` or `su` without a login shell); USER or LOGNAME when the account has no
 * entry there (a container's arbitrary uid), else the uid.
 */
export function operatorAccount(env: NodeJS.ProcessEnv = process.env): string {
  let name = '';
  try {
    name = os.userInfo().username;
  } catch {
    // No passwd entry for this uid: os.userInfo throws (ENOENT).
  }
  return name || env.USER || env.LOGNAME || (process.getuid ? `uid ${process.getuid()}` : 'unknown');
}

/**
 * Who the entry names as the operator: `by` (`--by`) when given, which must be a staff identifier
 * as X-Officer takes one (1-64 of A-Z a-z 0-9 . _ : @ / -, never an ID number: `problem` says why
 * not, for the tool to refuse before anything is written); otherwise `account@host`, in those
 * characters and at most 64 of them.
 */
export function operatorOf(by: string | undefined, env: NodeJS.ProcessEnv = process.env): { operator: string } | { problem: string } {
  if (by !== undefined) {
    const officer = parseOfficer(by);
    if (officer === 'ID_NUMBER') return { problem: '--by may not be or hold an ID number: give the operator’s staff identifier' };
    if (officer === null || officer === 'MALFORMED') return { problem: '--by: the operator’s staff identifier, 1-64 ASCII characters (A-Z, a-z, 0-9 and . _ : @ / -)' };
    return { operator: officer };
  }
  return { operator: firstChars(`${operatorAccount(env)}@${os.hostname()}`.replace(NOT_OFFICER_CHAR, '_'), 64) };
}
