/**
 * What every case write shares: who is acting, when it happened, the client's idempotency key, the
 * case row locked for the length of the transaction, and the events it records.
 *
 * Each write is one transaction whose first statement locks the case row (SELECT … FOR UPDATE), so
 * concurrent writes to one case queue up and each sees the last one's result: the transaction runs
 * at READ COMMITTED (db/locking.ts), so its plain reads see that result on TiDB too. Events carry the
 * client's idempotency key under a unique index: a retried request finds its first event and gets
 * the first outcome back, and two copies racing each other cannot both write: the second is answered
 * with the first's outcome (see idempotent).
 */
import { sealedTransaction, sealLater } from './seals';
import { keepStoppedDeadlines } from './deadlines-kept';
import { and, desc, eq, inArray, max, sql } from 'drizzle-orm';
import { caseError, refusal, success, type CaseUserError, type Outcome } from '../../domain/cases/errors';
import type { OfficeKey } from '../../domain/cases/offices';
import type { CaseState } from '../../domain/cases/state-machine';
import { isDuplicateKey, type HubDb } from '../connect';
import { aidCase, caseEvent, referralSlip } from './schema';
import { caseRequest, householdDecisionLock } from '../case-loop/schema';
import { caseEventRecord, caseRecord, type CaseAction, type CaseEventRecord, type CaseRecord, type HubQuery, type HubTx } from './records';
import { toDbInstant } from '../instants';
import { keyDigest } from '../idempotency-key';
import { ensureLockRow, lockMadeRow, type LockingTx } from '../locking';
import { checkStatedTime, type StatedTimeKind } from '../../domain/cases/stated-time';
import { longerThan } from '../../domain/text-length';

/** Who acts: an officer (staff identifier, not a name) of an office. */
export interface Actor {
  officer: string;
  office: OfficeKey;
}

export interface WriteMeta {
  actor: Actor;
  /** When it happened as stated, if earlier than now (first aid given in the field, recorded back at the office); bounded, never what lateness is measured by. */
  occurredAt: Date | null;
  /** The client's key for this request; keys are the client's own, so they are kept per office and client. */
  idempotencyKey: string | null;
  /**
   * The authenticated client that sent the key (its id), null without one. Offices of one
   * department in different counties (and the city-wide bureau) act as the same office key, so the
   * office alone would let 邹城市民政局's key meet 任城区民政局's request.
   */
  keyClientId?: number | null;
  /** The hub's clock when the request arrived: the time recorded, by which lateness is measured. */
  now: Date;
  /**
   * A hash of the request (the mutation and its input, key left out), kept with the key: the same
   * key with a different request is refused. Null where the caller computes none.
   */
  requestHash?: string | null;
  /**
   * Every fingerprint of this same request, by this release's rule and by earlier releases' (an ID
   * number in prose hashed as typed before it was masked: resolvers/cases/request-fingerprint.ts),
   * any of which a stored fingerprint may be; `requestHash` alone where none is given.
   */
  acceptedRequestHashes?: readonly string[] | null;
  /**
   * The refusal of the request's prose by the screen for identifying numbers (IDENTIFYING_NUMBER:
   * resolvers/cases/resolvers.ts metaOf), judged only once the request is known to be no retry
   * (refuseScreened): a retry of a write made before the screen is answered with its first outcome.
   */
  screened?: CaseUserError | null;
}

/**
 * Thrown where a request whose prose the screen refused (WriteMeta.screened) is known to be no retry:
 * its key found nothing (keyedRetry), a keyless retry look matched nothing (unkeyedRetry, and each
 * write's own look: retryOrScreened), before the write's checks; or, as a last guard, its events are
 * about to be written (EventLog.write), so the transaction is rolled back and nothing is written. The case mutations answer it as that refusal
 * (resolvers/cases/resolvers.ts answeringScreened).
 */
export class ScreenedOut extends Error {
  constructor(readonly refusal: CaseUserError) {
    super(refusal.message);
  }
}

/** The request is no retry: a refusal by the screen stands now (ScreenedOut). */
function refuseScreened(meta: WriteMeta): void {
  if (meta.screened) throw new ScreenedOut(meta.screened);
}

/**
 * What a write's retry look found (its first outcome, or null: no retry), the screen's refusal
 * standing once it found none (ScreenedOut). Every look calls it, so a request the screen refuses
 * is refused right after it, before the write's own checks read anything: a number in a meeting's
 * notes is IDENTIFYING_NUMBER whether or not the case is in deliberation or a decision conflicts,
 * as a bad input is refused before the state is, and no department is asked about a write that
 * cannot be made. Only the retry look comes first, so that a retry of a write made before the
 * screen is still answered with its first outcome.
 */
export function retryOrScreened<T>(retry: T | null, meta: WriteMeta): T | null {
  if (retry === null) refuseScreened(meta);
  return retry;
}

/**
 * When the write happened as the officer states it (default: when the hub records it), or why not
 * (domain/cases/stated-time.ts: not in the future, not further back than allowed). Deadlines are
 * measured by `meta.now`, the time recorded; this one is kept beside it.
 */
export function occurredAt(meta: WriteMeta, field: string[] = ['input', 'occurredAt'], kind: StatedTimeKind = 'STEP'): Date | CaseUserError {
  return checkStatedTime(meta.occurredAt ?? meta.now, meta.now, kind, field);
}

export function requiredText(value: string, max: number, field: string[], code: 'TEXT_REQUIRED' | 'REASON_REQUIRED' | 'FEEDBACK_REQUIRED' = 'TEXT_REQUIRED'): CaseUserError | null {
  if (value.trim() === '') return caseError(code, `${field.at(-1)} must not be empty`, field);
  if (longerThan(value, max)) return caseError('TEXT_TOO_LONG', `${field.at(-1)} is longer than ${max} characters`, field);
  return null;
}

/** Whether `error` (or its cause) is a duplicate key on the unique key `keyName` (db/connect.ts). */
export { isDuplicateKey };

async function eventByKey(db: HubQuery, key: string): Promise<CaseEventRecord | null> {
  const [row] = await db.select().from(caseEvent).where(eq(caseEvent.keySha256, keyDigest(key)));
  return row ? caseEventRecord(row) : null;
}

/**
 * The key as stored: two offices, or two clients of one office key (the county offices of a
 * department), may pick the same key without meeting each other's requests. At most 16 + 12 + 64
 * characters, inside the 96 of the column.
 */
function storedKey(meta: WriteMeta): string | null {
  if (meta.idempotencyKey === null) return null;
  const client = meta.keyClientId == null ? '' : `/c${meta.keyClientId}`;
  return `${meta.actor.office}${client}:${meta.idempotencyKey}`;
}

/** The key as sent and the digest it is found by (db/idempotency-key.ts), for an event's row. */
function keyColumns(key: string | null): { idempotencyKey: string | null; keySha256: string | null } {
  return { idempotencyKey: key, keySha256: key === null ? null : keyDigest(key) };
}

/**
 * The key as a hub before per-client keys stored it (`<office>:<key>`), for a request from an
 * authenticated client; null where it is the stored key already (no client).
 */
function legacyKey(meta: WriteMeta): string | null {
  return meta.idempotencyKey === null || meta.keyClientId == null ? null : `${meta.actor.office}:${meta.idempotencyKey}`;
}

/**
 * Whether the fingerprint stored with a key is this request's, by this release's rule or an earlier
 * one's (WriteMeta.acceptedRequestHashes): a retry sent across an upgrade that changed the rule is
 * still its first request's retry.
 */
function isThisRequest(meta: WriteMeta, stored: string): boolean {
  return stored === meta.requestHash || (meta.acceptedRequestHashes ?? []).includes(stored);
}

/**
 * A retry across the upgrade to per-client keys: the event a request stored under its legacy key,
 * when it was this client's and this request. The legacy key is the office's, shared by the county
 * offices of a department and the city-wide bureau, so finding it proves nothing by itself; the
 * event's actor (the client's unique name, and the officer the input names) must be this request's
 * and the stored fingerprint the same. Anything else (another client's key, another request, a key
 * stored before fingerprints were kept) is not this request's retry: it runs as a new request, and
 * never answers with, or is refused for, another office's outcome.
 */
async function legacyRetry(db: HubQuery, meta: WriteMeta): Promise<CaseEventRecord | null> {
  const key = legacyKey(meta);
  if (key === null || !meta.requestHash) return null;
  const earlier = await eventByKey(db, key);
  if (!earlier || earlier.actor !== meta.actor.officer || earlier.actorOffice !== meta.actor.office) return null;
  const [stored] = await db.select({ requestHash: caseRequest.requestHash }).from(caseRequest).where(eq(caseRequest.keySha256, keyDigest(key)));
  return stored && isThisRequest(meta, stored.requestHash) ? earlier : null;
}

/**
 * How long after a write the same write sent again without a key (a second click, a lost answer) is
 * taken for a retry of it: a meeting recorded (db/cases/meetings.ts), a case opened (db/cases/store.ts).
 */
export const UNKEYED_RETRY_HOURS = 24;

/**
 * The event a request sent without a key already wrote (a second click, a network retry): the
 * newest event on the case (on one slip, given `referralId`) when it `matches` what the request
 * asks, was written by the same officer of the same office within the last UNKEYED_RETRY_HOURS, at
 * the instant stated if one is, and nothing was recorded there since (but the OWNER_CHANGED an
 * accepted hand-over writes beside its acceptance). The request is then answered with that first
 * outcome (replayed) rather than refused by what it did itself (the slip already declined, the
 * case already moved). Called under the case's lock, so the same request sent twice at once is
 * written once. A different request, another officer's, or one sent after anything else was
 * recorded finds no match and meets the usual checks. Null with a key (keyedRetry answers those).
 */
export async function unkeyedRetry(
  tx: HubQuery,
  caseId: number,
  meta: WriteMeta,
  matches: (event: CaseEventRecord) => boolean | Promise<boolean>,
  referralId: number | null = null,
): Promise<CaseEventRecord | null> {
  if (meta.idempotencyKey !== null) return null;
  const rows = await tx
    .select()
    .from(caseEvent)
    .where(and(eq(caseEvent.caseId, caseId), referralId === null ? undefined : eq(caseEvent.referralId, referralId)))
    .orderBy(desc(caseEvent.seq))
    .limit(2);
  const [newest, before] = rows.map(caseEventRecord);
  const sameWrite = (a: CaseEventRecord, b: CaseEventRecord) => a.actor === b.actor && a.recordedAt.getTime() === b.recordedAt.getTime();
  const last = newest?.action === 'OWNER_CHANGED' && before && sameWrite(newest, before) ? before : newest;
  return retryOrScreened(last && (await isRetryOf(last, meta, matches)) ? last : null, meta);
}

async function isRetryOf(last: CaseEventRecord, meta: WriteMeta, matches: (event: CaseEventRecord) => boolean | Promise<boolean>): Promise<boolean> {
  if (last.actor !== meta.actor.officer || last.actorOffice !== meta.actor.office) return false;
  if (meta.now.getTime() - last.recordedAt.getTime() > UNKEYED_RETRY_HOURS * 3_600_000) return false;
  if (meta.occurredAt !== null && last.occurredAt.getTime() !== meta.occurredAt.getTime()) return false;
  return matches(last);
}

/**
 * The first outcome of a request sent again under its idempotency key, or null when the key is new
 * (or none was given): `replay` maps the key's event to the first outcome, or returns null when the
 * key was used for something else (IDEMPOTENCY_KEY_REUSED, as is the key with another request).
 */
export async function keyedRetry<T>(db: HubQuery, meta: WriteMeta, replay: (event: CaseEventRecord) => T | null): Promise<Outcome<T> | null> {
  const key = storedKey(meta);
  if (key === null) return null;
  const earlier = await eventByKey(db, key);
  if (earlier) return replayOrRefuse(db, meta, key, earlier, replay);
  // Sent first to a hub that stored keys per office: the first outcome, not a second case or slip.
  const beforeUpgrade = await legacyRetry(db, meta);
  return retryOrScreened(beforeUpgrade && answerFrom(beforeUpgrade, replay), meta);
}

const keyReused = () => caseError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different request', ['input', 'idempotencyKey']);

function answerFrom<T>(event: CaseEventRecord, replay: (event: CaseEventRecord) => T | null): Outcome<T> {
  const value = replay(event);
  return value === null ? refusal(keyReused()) : success(value, true);
}

async function replayOrRefuse<T>(db: HubQuery, meta: WriteMeta, key: string, earlier: CaseEventRecord, replay: (event: CaseEventRecord) => T | null): Promise<Outcome<T>> {
  // Keys recorded before request hashes were kept have no row: they answer as before.
  const [stored] = await db.select({ requestHash: caseRequest.requestHash }).from(caseRequest).where(eq(caseRequest.keySha256, keyDigest(key)));
  if (stored && meta.requestHash && !isThisRequest(meta, stored.requestHash)) return refusal(keyReused());
  return answerFrom(earlier, replay);
}

/**
 * Runs `work` once per idempotency key. A key already used answers from its event: `replay` maps
 * that event to the first outcome, or returns null when the key was used for something else.
 *
 * The key is looked for before `work`, and again when `work` refuses: the same request sent twice
 * at once passes the first look-up twice, and the second, taking the case's lock after the first
 * has written, is refused by what the first wrote (the case moved on, the slip answered, the
 * decline resolved). Its key is on record by then (the first committed before the lock was let
 * go), so it is answered as the retry it is, as it would be a moment later.
 */
export async function idempotent<T>(db: HubDb, meta: WriteMeta, replay: (event: CaseEventRecord) => T | null, work: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  const retry = await keyedRetry(db, meta, replay);
  if (retry) return retry;
  const key = storedKey(meta);
  try {
    const outcome = await work();
    return outcome.ok || key === null ? outcome : ((await keyedRetry(db, meta, replay)) ?? outcome);
  } catch (error) {
    if (key !== null && isDuplicateKey(error, 'case_event_key_sha256')) {
      const earlier = await eventByKey(db, key);
      if (earlier) return replayOrRefuse(db, meta, key, earlier, replay);
    }
    throw error;
  }
}

/**
 * The shape of a case write: refuse a bad input (`problem`) or a stated time out of bounds before
 * anything is read, then run `work` once per idempotency key with the stated time.
 */
export async function caseWrite<T>(
  db: HubDb,
  meta: WriteMeta,
  problem: CaseUserError | null,
  replay: (event: CaseEventRecord) => T | null,
  work: (at: Date) => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  if (problem) return refusal(problem);
  const at = occurredAt(meta);
  if (!(at instanceof Date)) return refusal(at);
  return idempotent(db, meta, replay, () => work(at));
}

/**
 * A write to one slip: the slip's case found (REFERRAL_NOT_FOUND otherwise), then `work` in a sealed
 * transaction whose first statement locks that case's row (lockCase), so the slip's other writes
 * (answers, waivers, a withdrawal) queue behind it and it reads the slip as the last one left it.
 */
export async function inSlipCase<T>(db: HubDb, referralId: number, work: (tx: LockingTx, c: CaseRecord) => Promise<Outcome<T>>): Promise<Outcome<T>> {
  const [found] = await db.select({ caseId: referralSlip.caseId }).from(referralSlip).where(eq(referralSlip.id, referralId));
  if (!found) return refusal(caseError('REFERRAL_NOT_FOUND', 'no referral slip with this id', ['input', 'referralId']));
  return sealedTransaction(db, async (tx): Promise<Outcome<T>> => {
    const c = await lockCase(tx, found.caseId);
    if (!c) return refusal(caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'referralId']));
    return work(tx, c);
  });
}

/** Locks the case row for the rest of the transaction. Must be the transaction's first read. */
export async function lockCase(tx: LockingTx, caseId: number): Promise<CaseRecord | null> {
  const [row] = await tx.select().from(aidCase).where(eq(aidCase.id, caseId)).for('update');
  return row ? caseRecord(row) : null;
}

/**
 * How many decisions the household has had issued, read before its decisions not yet given are read
 * for a new decision's check: `takeDecisionTurn` compares it under the lock. Null: the household has
 * no row of household_decision_lock (its turn never taken: none issued), which the write that takes
 * the turn makes before its transaction (ensureHouseholdTurn: resolvers/cases/decision-checks.ts
 * inDecisionTurns). A read: it writes nothing.
 */
export async function decisionsIssuedTo(db: HubDb, householdId: number): Promise<number | null> {
  const [row] = await db.select({ issued: householdDecisionLock.decisionsIssued }).from(householdDecisionLock).where(eq(householdDecisionLock.householdId, householdId));
  return row ? row.issued : null;
}

/**
 * Makes the household's row of household_decision_lock if missing, committed on its own, before the
 * transaction that takes its turn (lockHouseholdTurn): ensureLockRow says why. Made in that
 * transaction, a meeting refused after the turn was taken (MeetingRefused, rolled back), a hand-over
 * that failed, or any error took the new row away under two transactions waiting on its key, and
 * InnoDB had one of them deadlock (test/cases-decision-lock.test.ts, test/cases-hand-over-lock.test.ts).
 * Every write that takes the turn calls it first: a checked decision (inDecisionTurns, when
 * decisionsIssuedTo finds no row), a correction that only withdraws, a hand-over, a case opened.
 */
export async function ensureHouseholdTurn(db: HubDb, householdId: number): Promise<void> {
  await ensureLockRow(db, householdDecisionLock, { householdId, decisionsIssued: 0 });
}

/**
 * Takes the household's turn to issue decisions for the rest of the transaction (after the case's
 * lock, as every write that issues decisions does, so no two wait on each other), and counts
 * `issuing` more. Two cases of one household deciding at the same moment take turns here, and the
 * second finds the count moved: HOUSEHOLD_DECISIONS_CHANGED, nothing counted, since its decisions
 * were checked (against `seen`'s decisions not yet given) without the first one's. `seen` null: no
 * such check was made, the turn is taken and counted only.
 */
export async function takeDecisionTurn(tx: LockingTx, householdId: number, seen: number | null, issuing: number): Promise<CaseUserError | null> {
  if (await decisionTurnMoved(tx, householdId, seen)) {
    return caseError('HOUSEHOLD_DECISIONS_CHANGED', 'a decision was issued to the household while this one was checked: check it again (send it again)', null);
  }
  await tx.update(householdDecisionLock).set({ decisionsIssued: sql`${householdDecisionLock.decisionsIssued} + ${issuing}` }).where(eq(householdDecisionLock.householdId, householdId));
  return null;
}

/**
 * Takes the household's decision turn for the rest of the transaction (lockHouseholdTurn) and tells
 * whether a decision was issued to it since `seen` was read (before its decisions not yet given were
 * read for a check); `seen` null: no such check was made, nothing to compare. The one comparison of
 * every write that checked against those decisions (takeDecisionTurn, a charity need's publication).
 */
export async function decisionTurnMoved(tx: LockingTx, householdId: number, seen: number | null): Promise<boolean> {
  const issued = await lockHouseholdTurn(tx, householdId);
  return seen !== null && issued !== seen;
}

/**
 * Locks the household's row of household_decision_lock by key and returns its count of decisions
 * issued. Every write that takes the turn makes the row before its transaction (ensureHouseholdTurn;
 * a reassignment only once checked, as a checked decision: db/cases/declines.ts); one missing here
 * (deleted since) is made here (lockMadeRow, with the deadlock risk ensureLockRow says).
 * Decision writes take it after their case's row; a case being opened (caseOpen's keyless retry
 * look) takes it holding no case row.
 */
export async function lockHouseholdTurn(tx: LockingTx, householdId: number): Promise<number> {
  const row = await lockMadeRow(tx, householdDecisionLock, { householdId, decisionsIssued: 0 }, () =>
    tx.select({ issued: householdDecisionLock.decisionsIssued }).from(householdDecisionLock).where(eq(householdDecisionLock.householdId, householdId)).for('update'),
  );
  return row.issued;
}

export interface EventFields {
  action: CaseAction;
  fromState?: CaseState | null;
  toState?: CaseState | null;
  referralId?: number | null;
  meetingId?: number | null;
  occurredAt: Date;
  reason?: string | null;
  /** OWNER_CHANGED: the office handing the case on and the one taking it (domain/cases/offices.ts ownerChange). */
  fromOffice?: string | null;
  toOffice?: string | null;
  /** The request's main event carries its idempotency key; the others do not. */
  carriesKey?: boolean;
}

/** The events that may meet a case deadline or end the case (domain/cases/deadlines.ts DEADLINE_RULES). */
const STOPPING_ACTIONS: ReadonlySet<CaseAction> = new Set(['TRANSITIONED', 'MATERIALS_COMPLETED', 'APPROVAL_FORWARDED']);

/** Collects a transaction's events and writes them in one statement, numbered after the last. */
export class EventLog {
  private readonly rows: (typeof caseEvent.$inferInsert)[] = [];
  private constructor(
    private readonly caseId: number,
    private nextSeq: number,
    private readonly meta: WriteMeta,
  ) {}

  static async open(tx: HubTx, caseId: number, meta: WriteMeta): Promise<EventLog> {
    const [{ last }] = await tx.select({ last: max(caseEvent.seq) }).from(caseEvent).where(eq(caseEvent.caseId, caseId));
    return new EventLog(caseId, (last ?? 0) + 1, meta);
  }

  /** Adds an event; returns its seq. */
  add(e: EventFields): number {
    const seq = this.nextSeq++;
    this.rows.push({
      caseId: this.caseId,
      seq,
      action: e.action,
      fromState: e.fromState ?? null,
      toState: e.toState ?? null,
      referralId: e.referralId ?? null,
      meetingId: e.meetingId ?? null,
      occurredAt: toDbInstant(e.occurredAt),
      recordedAt: toDbInstant(this.meta.now),
      actor: this.meta.actor.officer,
      actorOffice: this.meta.actor.office,
      reason: e.reason ?? null,
      fromOffice: e.fromOffice ?? null,
      toOffice: e.toOffice ?? null,
      ...(e.carriesKey ? keyColumns(storedKey(this.meta)) : { idempotencyKey: null, keySha256: null }),
    });
    return seq;
  }

  async write(tx: HubTx): Promise<void> {
    // The last guard: every write's retry look refused it already (retryOrScreened), before its checks.
    refuseScreened(this.meta);
    if (this.rows.length > 0) {
      await tx.insert(caseEvent).values(this.rows);
      sealLater(tx, caseEvent, and(eq(caseEvent.caseId, this.caseId), inArray(caseEvent.seq, this.rows.map((r) => r.seq))));
      // A step that may stop a deadline keeps its due date as counted now (db/cases/deadlines-kept.ts).
      if (this.rows.some((r) => STOPPING_ACTIONS.has(r.action))) await keepStoppedDeadlines(tx, this.caseId, this.rows.map((r) => r.seq), this.meta.now);
    }
    const key = storedKey(this.meta);
    if (key !== null && this.meta.requestHash && this.rows.some((r) => r.idempotencyKey === key)) {
      await tx.insert(caseRequest).values({ keySha256: keyDigest(key), requestHash: this.meta.requestHash, caseId: this.caseId });
    }
  }
}
