/**
 * Cases: opening one, moving it through its states, and the batch reads the loaders and the
 * supervision view use. Every write is one transaction; refusals are returned, never thrown.
 */
import { sealedTransaction, sealLater } from './seals';
import { and, asc, desc, eq, gt, gte, inArray, isNull, like, lt, lte, notInArray, notLike, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/mysql-core';
import { caseError, refusal, success, type CaseUserError, type Outcome } from '../../domain/cases/errors';
import { countyOf, townshipOf } from '../../domain/cases/offices';
import { caseAndPredecessorIdsOf } from '../../domain/cases/chain';
import { caseReference } from '../../domain/cases/reference';
import { ANSWERED_REFERRAL_STATES, ENDED_UNANSWERED_STATES, hasFeedback, isWaitingReferral, REFERRAL_STATES, WAITING_REFERRAL_STATES } from '../../domain/cases/referrals';
import { checkTransition, TERMINAL_STATES, type CaseOrigin, type CaseState, type CaseUrgency } from '../../domain/cases/state-machine';
import type { IsoDate } from '../../domain/dates';
import type { HubDb } from '../connect';
import type { LockingTx } from '../locking';
import { fromDbInstant, toDbInstant } from '../instants';
import { aidCase, caseEvent, caseMeeting, meetingDepartment, referralReminder, referralSlip, secondAidApproval } from './schema';
import type { ReminderKind } from '../../domain/cases/reminders';
import {
  caseEventRecord,
  caseInRegion,
  caseRecord,
  inPeriodAndRegion,
  ownerWhen,
  meetingRecord,
  referralRecord,
  slipMeetingDay,
  type CaseEventRecord,
  type CaseRecord,
  type HubQuery,
  type HubTx,
  type MeetingDepartmentRecord,
  type MeetingRecord,
  type ReferralRecord,
  type SecondAidRecord,
} from './records';
import { ensureHouseholdTurn, EventLog, idempotent, lockCase, lockHouseholdTurn, occurredAt, requiredText, retryOrScreened, UNKEYED_RETRY_HOURS, unkeyedRetry, type WriteMeta } from './write';
import { household } from '../household/schema';
import { inList } from '../in-list';
import { monitoringAlert } from '../monitoring/schema';
import { charityNeed } from '../charity/schema';
import { recordAlertDecision } from '../monitoring/store';
import { noticesByAlertIds, objectionsByNoticeIds } from '../monitoring/notices';
import { chinaDateOf } from '../../domain/cases/china-time';
import { addDays } from '../../domain/dates';
import { noticeGate } from '../../domain/monitoring/notice';
import { aidRecordUse, decisionCorrection, declinedDecision, referralFulfilment } from '../case-loop/schema';
import type { FulfilmentRecord } from '../case-loop/store';
import { longerThan } from '../../domain/text-length';

export interface CaseOpenInput {
  householdId: number;
  origin: CaseOrigin;
  urgency: CaseUrgency;
  summary: string;
  /** When the household reported or the need was found; defaults to now. */
  reportedAt: Date | null;
}

/** Opens a case owned by the actor's office (首问负责). Returns the case id. */
export async function openCase(db: HubDb, input: CaseOpenInput, meta: WriteMeta): Promise<Outcome<number>> {
  const problem = requiredText(input.summary, 500, ['input', 'summary']);
  if (problem) return refusal(problem);
  const reportedAt = occurredAt({ ...meta, occurredAt: input.reportedAt }, ['input', 'reportedAt'], 'REPORT');
  if (!(reportedAt instanceof Date)) return refusal(reportedAt);
  return idempotent(
    db,
    meta,
    (e) => (e.action === 'OPENED' ? e.caseId : null),
    async () => {
      const [home] = await db.select({ regionCode: household.regionCode }).from(household).where(eq(household.id, input.householdId));
      if (!home) return refusal(caseError('HOUSEHOLD_NOT_FOUND', 'no household with this id', ['input', 'householdId']));
      // The household's turn row made on its own first, not in this transaction's rollback (ensureHouseholdTurn).
      await ensureHouseholdTurn(db, input.householdId);
      return sealedTransaction(db, async (tx) => {
        // The same report sent again without a key after a lost answer (or twice at once: the
        // household's row of household_decision_lock, taken before any case row, lets one look at a
        // time) is answered with the case it opened, not a second case of the household to reject.
        await lockHouseholdTurn(tx, input.householdId);
        if (meta.idempotencyKey === null) {
          const opened = retryOrScreened(await sameCaseOpened(tx, input, meta), meta);
          if (opened !== null) return success(opened, true);
        }
        const elsewhere = await openCaseInOtherCounty(tx, input.householdId, townshipOf(home.regionCode));
        if (elsewhere) return refusal(elsewhere);
        const [res] = await tx.insert(aidCase).values({
          householdId: input.householdId,
          townshipCode: townshipOf(home.regionCode),
          origin: input.origin,
          urgency: input.urgency,
          state: 'REPORTED',
          summary: input.summary.trim(),
          firstOffice: meta.actor.office,
          ownerOffice: meta.actor.office,
          reportedAt: toDbInstant(reportedAt),
        });
        const caseId = res.insertId;
        sealLater(tx, aidCase, eq(aidCase.id, caseId));
        const log = await EventLog.open(tx, caseId, meta);
        log.add({ action: 'OPENED', toState: 'REPORTED', occurredAt: reportedAt, carriesKey: true });
        await log.write(tx);
        return success(caseId);
      });
    },
  );
}

/**
 * A second case for a household whose case is still open in another county (it moved here from
 * there, or the record moved it) would run beside the first, unlinked: its history, decisions and
 * open slips unseen here, and the first left with a county that no longer serves the household. The
 * refusal names the open case (which the caller, serving the household, may read: access/policy.ts
 * caseRegions) and the way on: that county's convener hands it over (caseHandOver), which opens its
 * successor here. Read under the household's turn (lockHouseholdTurn), which a hand-over takes too.
 */
async function openCaseInOtherCounty(tx: HubTx, householdId: number, township: string): Promise<CaseUserError | null> {
  const rows = await tx
    .select({ id: aidCase.id, townshipCode: aidCase.townshipCode, reportedAt: aidCase.reportedAt })
    .from(aidCase)
    .where(and(eq(aidCase.householdId, householdId), notInArray(aidCase.state, [...TERMINAL_STATES]), notLike(aidCase.townshipCode, `${countyOf(township)}%`)))
    .orderBy(asc(aidCase.id))
    .limit(1);
  if (rows.length === 0) return null;
  const [open] = rows;
  const reference = caseReference(open.id, fromDbInstant(open.reportedAt));
  return caseError(
    'OPEN_CASE_IN_OTHER_COUNTY',
    `case ${reference} (id ${open.id}) of county ${countyOf(open.townshipCode)} is open for this household: its convener hands it over (caseHandOver), which opens its successor in the county the household lives in now`,
    ['input', 'householdId'],
  );
}

/**
 * The household's case this request opened already, sent without a key: opened by the same officer
 * of the same office within the last UNKEYED_RETRY_HOURS with the same origin, urgency, summary and
 * (when stated) report time, and nothing recorded on it since. Null: the request is a new case.
 */
async function sameCaseOpened(tx: HubTx, input: CaseOpenInput, meta: WriteMeta): Promise<number | null> {
  const since = new Date(meta.now.getTime() - UNKEYED_RETRY_HOURS * 3_600_000);
  const candidates = await tx
    .select({ id: aidCase.id, reportedAt: aidCase.reportedAt })
    .from(aidCase)
    .where(
      and(
        eq(aidCase.householdId, input.householdId),
        eq(aidCase.state, 'REPORTED'),
        eq(aidCase.firstOffice, meta.actor.office),
        eq(aidCase.ownerOffice, meta.actor.office),
        eq(aidCase.origin, input.origin),
        eq(aidCase.urgency, input.urgency),
        eq(aidCase.summary, input.summary.trim()),
      ),
    )
    .orderBy(desc(aidCase.id));
  for (const c of candidates) {
    if (input.reportedAt !== null && fromDbInstant(c.reportedAt).getTime() !== input.reportedAt.getTime()) continue;
    const events = await tx.select().from(caseEvent).where(eq(caseEvent.caseId, c.id));
    if (events.length !== 1) continue;
    const [opened] = events;
    if (opened.action !== 'OPENED' || opened.actor !== meta.actor.officer || opened.actorOffice !== meta.actor.office) continue;
    if (fromDbInstant(opened.recordedAt) < since) continue;
    return c.id;
  }
  return null;
}

/** The instant of the case's last state change (its report, if none), which a new one may not precede. */
async function lastStateChangeAt(tx: HubTx, c: CaseRecord): Promise<Date> {
  const [last] = await tx
    .select({ occurredAt: caseEvent.occurredAt })
    .from(caseEvent)
    .where(and(eq(caseEvent.caseId, c.id), inArray(caseEvent.action, ['OPENED', 'TRANSITIONED'])))
    .orderBy(desc(caseEvent.seq))
    .limit(1);
  return last ? fromDbInstant(last.occurredAt) : c.reportedAt;
}

/** Declined decisions of the case with no resolution yet (db/case-loop/ declined_decision). */
export async function declinedDecisionsOpen(tx: HubQuery, caseId: number): Promise<number[]> {
  const rows = await tx
    .select({ id: referralSlip.id, resolved: declinedDecision.referralId })
    .from(referralSlip)
    .leftJoin(declinedDecision, eq(declinedDecision.referralId, referralSlip.id))
    .where(and(eq(referralSlip.caseId, caseId), eq(referralSlip.kind, 'DECISION'), eq(referralSlip.state, 'DECLINED')));
  return rows.filter((r) => r.resolved === null).map((r) => r.id);
}

/** How many decision slips the case's meetings issued (reassignments included). */
async function decisionsOnRecord(tx: HubTx, caseId: number): Promise<number> {
  const rows = await tx.select({ id: referralSlip.id }).from(referralSlip).where(and(eq(referralSlip.caseId, caseId), eq(referralSlip.kind, 'DECISION')));
  return rows.length;
}

async function referralsWithoutFeedback(tx: HubTx, caseId: number): Promise<number> {
  const rows = await tx.select({ state: referralSlip.state }).from(referralSlip).where(eq(referralSlip.caseId, caseId));
  return rows.filter((r) => !hasFeedback(r.state)).length;
}

/**
 * Moves a locked case to `to` inside the caller's transaction, or says why not. The meeting write
 * uses it with `viaMeeting` to decide a case in deliberation.
 */
export async function applyTransition(
  tx: HubTx,
  c: CaseRecord,
  to: CaseState,
  reason: string,
  at: Date,
  log: EventLog,
  opts: { viaMeeting?: boolean; viaFirstAid?: boolean; viaHandOver?: boolean; carriesKey?: boolean; serverClock?: boolean; decidedOn?: IsoDate } = {},
): Promise<Outcome<number>> {
  // Whether the move is legal from the state the lock shows comes first: of two simultaneous
  // identical moves, the second always hears ILLEGAL_TRANSITION, whichever arrived first (sent
  // under one key, it is then answered as the first's retry: write.ts idempotent).
  const check = checkTransition(c.state, to, {
    reason,
    viaMeeting: opts.viaMeeting,
    viaFirstAid: opts.viaFirstAid,
    viaHandOver: opts.viaHandOver,
    urgency: c.urgency,
    referralsWithoutFeedback: await referralsWithoutFeedback(tx, c.id),
    declinedDecisionsOpen: (await declinedDecisionsOpen(tx, c.id)).length,
    decisionsOnRecord: await decisionsOnRecord(tx, c.id),
  });
  if (!check.ok) return refusal(caseError(check.code, check.message, check.code === 'REASON_REQUIRED' ? ['input', 'reason'] : check.code === 'CASE_NOT_URGENT' ? ['input', 'caseId'] : ['input', 'to']));
  if (to === 'WITHDRAWN' || to === 'HANDED_OVER') {
    const how = to === 'WITHDRAWN' ? 'withdrawn' : 'handed over';
    const field = to === 'WITHDRAWN' ? ['input', 'to'] : ['input', 'caseId'];
    // The alert's decision (its 15-day limit, the village notice) hangs on the case it opened: a
    // withdrawn case would leave the alert pending on a case that ended. Rejected, it is decided.
    // Handed over, the household's matter goes on in its successor, which the alert's decision
    // follows (alertOfCase): refused, the household moved would be stuck between a county that may
    // neither hand over nor withdraw and one that may not open a case beside it.
    if (to === 'WITHDRAWN') {
      const alert = await alertOfCase(tx, c);
      if (alert) return refusal(caseError('CASE_OPENED_FROM_ALERT', `case opened from alert ${alert.id}: it ends by the alert's decision (REJECTED with the explanation, or decided), not ${how}`, field));
    }
    // A need published from it is still before charities, under the household's consent: withdrawn first.
    const [need] = await tx.select({ id: charityNeed.id }).from(charityNeed).where(and(eq(charityNeed.caseId, c.id), eq(charityNeed.state, 'OPEN'))).limit(1);
    if (need) return refusal(caseError('CHARITY_NEEDS_OPEN', `charity need ${need.id} published from the case is open: withdraw it first (charityNeedWithdraw)`, field));
  }
  if (to === 'DECIDED') {
    const notice = await villageNoticeGate(tx, c, opts.decidedOn ?? chinaDateOf(at), opts.viaMeeting ? ['input', 'heldOn'] : ['input', 'to']);
    if (notice) return notice;
  }
  const last = await lastStateChangeAt(tx, c);
  if (at < last) {
    // A time the server took on arrival is not the caller's claim: a request that waited for the
    // lock behind a later one happens when it gets the lock.
    if (opts.serverClock) at = last;
    else return refusal(caseError('OCCURRED_OUT_OF_ORDER', 'occurredAt is before the case’s last state change', ['input', 'occurredAt']));
  }
  const ends = TERMINAL_STATES.has(to);
  await tx
    .update(aidCase)
    .set({ state: to, ...(to === 'REJECTED' ? { explanation: reason.trim() } : {}), ...(ends ? { endedAt: toDbInstant(at) } : {}) })
    .where(eq(aidCase.id, c.id));
  sealLater(tx, aidCase, eq(aidCase.id, c.id));
  // The decision on the alert the case was opened from (its 15-day limit, Alert.decideBy): the case
  // decided (the meeting's day or the day stated) or rejected with the explanation given.
  if ((to === 'DECIDED' || to === 'REJECTED') && c.origin === 'ALERT') await recordAlertDecision(tx, await caseAndPredecessorIds(tx, c), to === 'DECIDED' ? opts.decidedOn ?? chinaDateOf(at) : chinaDateOf(at));
  log.add({ action: 'TRANSITIONED', fromState: c.state, toState: to, occurredAt: at, reason: reason.trim(), carriesKey: opts.carriesKey ?? false });
  return success(c.id);
}

/**
 * 村内公示 before the decision: a case opened by verifying a monitoring alert as needing aid is
 * decided (DECIDED, by a meeting or a transition) only once its live village notice has run its
 * period with every objection resolved and none upheld (noticeGate, domain/monitoring/notice.ts);
 * the day of the decision is the meeting's, or the day stated. Cases opened otherwise (an
 * application, caseOpen with origin ALERT and no alert behind it) need none. Rejection and first
 * aid are not the decision the notice precedes.
 */
async function villageNoticeGate(tx: HubTx, c: CaseRecord, day: IsoDate, field: string[]): Promise<Outcome<number> | null> {
  const alert = await alertOfCase(tx, c);
  if (!alert) return null;
  // The alert's notices: posted on the case it opened, they count for its successor after a hand-over.
  const notices = await noticesByAlertIds(tx, [alert.id]);
  const objections = await objectionsByNoticeIds(tx, notices.filter((n) => n.liveAlertId !== null).map((n) => n.id));
  const gate = noticeGate(
    notices.map((n) => ({ endsOn: n.endsOn, withdrawn: n.liveAlertId === null, objections: objections.filter((o) => o.noticeId === n.id) })),
    day,
  );
  return gate ? refusal(caseError(gate.code, gate.code === 'NOTICE_REQUIRED' ? `case opened from alert ${alert.id}: ${gate.message}` : gate.message, field)) : null;
}

/**
 * The case and the cases it continues (caseHandOver), latest first: one statement over the
 * household's cases for a successor, none for a case opened here.
 */
export async function caseAndPredecessorIds(tx: HubTx, c: CaseRecord): Promise<number[]> {
  if (c.predecessorCaseId === null) return [c.id];
  const rows = await tx.select({ id: aidCase.id, predecessorCaseId: aidCase.predecessorCaseId }).from(aidCase).where(eq(aidCase.householdId, c.householdId));
  return caseAndPredecessorIdsOf(c, rows);
}

/**
 * The monitoring alert the case was opened from (verified as NEEDS_AID), or the case it continues
 * after a hand-over was: the successor carries the alert's decision and its village notice. Null
 * for a case opened otherwise (an application, or caseOpen with origin ALERT and no alert behind it).
 */
async function alertOfCase(tx: HubTx, c: CaseRecord): Promise<{ id: number } | null> {
  const [alert] = await tx
    .select({ id: monitoringAlert.id })
    .from(monitoringAlert)
    .where(inArray(monitoringAlert.caseId, await caseAndPredecessorIds(tx, c)))
    .limit(1);
  return alert ?? null;
}

/** Moves a case along its state machine. Only the owning office may. Returns the case id. */
export async function transitionCase(db: HubDb, caseId: number, to: CaseState, reason: string, meta: WriteMeta): Promise<Outcome<number>> {
  const at = occurredAt(meta);
  if (!(at instanceof Date)) return refusal(at);
  if (longerThan(reason, 2000)) return refusal(caseError('TEXT_TOO_LONG', 'reason is longer than 2000 characters', ['input', 'reason']));
  return idempotent(
    db,
    meta,
    (e) => (e.action === 'TRANSITIONED' && e.caseId === caseId && e.toState === to ? caseId : null),
    () =>
      sealedTransaction(db, async (tx) => {
        const c = await lockCase(tx, caseId);
        if (!c) return refusal(caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'caseId']));
        // The same move sent again without a key, nothing recorded since: its first outcome.
        if (await unkeyedRetry(tx, caseId, meta, (e) => e.action === 'TRANSITIONED' && e.toState === to && e.reason === reason.trim())) return success(caseId, true);
        if (c.ownerOffice !== meta.actor.office) return refusal(caseError('NOT_CASE_OWNER', 'only the office that owns the case may move it', ['input', 'actor', 'office']));
        const log = await EventLog.open(tx, caseId, meta);
        const outcome = await applyTransition(tx, c, to, reason, at, log, { carriesKey: true, serverClock: meta.occurredAt === null });
        if (outcome.ok) await log.write(tx);
        return outcome;
      }),
  );
}

// ---- Batch reads (one statement each, for the per-request loaders) ----

export async function casesByIds(db: HubDb, ids: readonly number[]): Promise<CaseRecord[]> {
  return (await db.select().from(aidCase).where(inArray(aidCase.id, [...ids]))).map(caseRecord);
}

/** The cases that continue these (caseHandOver's successors): at most one each. */
export async function casesByPredecessorIds(db: HubDb, ids: readonly number[]): Promise<CaseRecord[]> {
  return (await db.select().from(aidCase).where(inArray(aidCase.predecessorCaseId, [...ids]))).map(caseRecord);
}

export async function casesByHouseholdIds(db: HubDb, householdIds: readonly number[]): Promise<CaseRecord[]> {
  const rows = await db.select().from(aidCase).where(inArray(aidCase.householdId, [...householdIds])).orderBy(desc(aidCase.reportedAt), desc(aidCase.id));
  return rows.map(caseRecord);
}

export async function eventsByCaseIds(db: HubDb, caseIds: readonly number[]): Promise<CaseEventRecord[]> {
  const rows = await db.select().from(caseEvent).where(inArray(caseEvent.caseId, [...caseIds])).orderBy(asc(caseEvent.caseId), asc(caseEvent.seq));
  return rows.map(caseEventRecord);
}

/** Slips with their case's household and township: one join, one statement. */
function slipsWhere(db: HubDb, where: SQL | undefined) {
  return db
    .select({ slip: referralSlip, householdId: aidCase.householdId, townshipCode: aidCase.townshipCode, meetingDay: slipMeetingDay })
    .from(referralSlip)
    .innerJoin(aidCase, eq(aidCase.id, referralSlip.caseId))
    .where(where);
}

export async function referralsByCaseIds(db: HubDb, caseIds: readonly number[]): Promise<ReferralRecord[]> {
  const rows = await slipsWhere(db, inArray(referralSlip.caseId, [...caseIds])).orderBy(asc(referralSlip.id));
  return rows.map((r) => referralRecord(r.slip, r));
}

export async function referralsByIds(db: HubDb, ids: readonly number[]): Promise<ReferralRecord[]> {
  return (await slipsWhere(db, inArray(referralSlip.id, [...ids]))).map((r) => referralRecord(r.slip, r));
}

/** Meetings with their case's township: one join, one statement. */
function meetingsWhere(db: HubDb, where: SQL | undefined) {
  return db.select({ meeting: caseMeeting, townshipCode: aidCase.townshipCode }).from(caseMeeting).innerJoin(aidCase, eq(aidCase.id, caseMeeting.caseId)).where(where);
}

export async function meetingsByCaseIds(db: HubDb, caseIds: readonly number[]): Promise<MeetingRecord[]> {
  const rows = await meetingsWhere(db, inArray(caseMeeting.caseId, [...caseIds])).orderBy(asc(caseMeeting.id));
  return rows.map((r) => meetingRecord(r.meeting, r.townshipCode));
}

export async function meetingsByIds(db: HubDb, ids: readonly number[]): Promise<MeetingRecord[]> {
  return (await meetingsWhere(db, inArray(caseMeeting.id, [...ids]))).map((r) => meetingRecord(r.meeting, r.townshipCode));
}

export async function departmentsByMeetingIds(db: HubDb, meetingIds: readonly number[]): Promise<MeetingDepartmentRecord[]> {
  return db.select().from(meetingDepartment).where(inArray(meetingDepartment.meetingId, [...meetingIds]));
}

export async function secondAidsByCaseIds(db: HubDb, caseIds: readonly number[]): Promise<SecondAidRecord[]> {
  return db.select().from(secondAidApproval).where(inArray(secondAidApproval.caseId, [...caseIds])).orderBy(asc(secondAidApproval.id));
}

/**
 * Second temporary aids (二次临时救助) approved for these people, for the duplicate-aid checks: rule
 * X5 (temporary aid for the same household and cause within 12 months) does not apply to aid
 * approved as a second aid. Match a temporary-aid record to an approval by `aidSourceRef` (set once
 * civil affairs reports the record it paid); while that is null, by the person, the cause and a
 * grant date on or after `approvedOn`. One statement however many ID numbers.
 */
export async function secondAidApprovalsByIdNumbers(
  db: HubDb,
  idNumbers: readonly string[],
): Promise<{ idNumber: string; cause: SecondAidRecord['cause']; amountFen: number; approvedOn: IsoDate; aidSourceRef: string | null; caseId: number }[]> {
  if (idNumbers.length === 0) return [];
  return db
    .select({
      idNumber: secondAidApproval.idNumber,
      cause: secondAidApproval.cause,
      amountFen: secondAidApproval.amountFen,
      approvedOn: secondAidApproval.approvedOn,
      aidSourceRef: secondAidApproval.aidSourceRef,
      caseId: secondAidApproval.caseId,
    })
    .from(secondAidApproval)
    .where(inArray(secondAidApproval.idNumber, [...idNumbers]))
    .orderBy(asc(secondAidApproval.idNumber), asc(secondAidApproval.approvedOn));
}

/**
 * What an office's inbox lists: the receiving office, the states, the county (a department's slips
 * are split by the county of the case's household, `townshipPrefix`, null for all: each county's
 * office reads its own) and `dueOnOrBefore`, only those due on or before that day (the overdue and
 * those due soon).
 */
export interface InboxQuery {
  office: string;
  states: readonly ReferralRecord['state'][];
  townshipPrefix: string | null;
  dueOnOrBefore: IsoDate | null;
}

/** A place in an inbox's order: a slip's due date, then its id. */
export interface InboxPosition {
  dueOn: IsoDate;
  id: number;
}

/**
 * A receiving office's slips, the soonest due first, then by id: its inbox, whole or (`limit`) its
 * first slips. One statement.
 */
export async function referralsToOffice(db: HubDb, q: InboxQuery, limit: number | null = null): Promise<ReferralRecord[]> {
  const query = slipsWhere(
    db,
    and(
      eq(referralSlip.toOffice, q.office),
      inArray(referralSlip.state, [...q.states]),
      q.townshipPrefix === null ? undefined : like(aidCase.townshipCode, `${q.townshipPrefix}%`),
      q.dueOnOrBefore === null ? undefined : lte(referralSlip.dueOn, q.dueOnOrBefore),
    ),
  ).orderBy(asc(referralSlip.dueOn), asc(referralSlip.id));
  const rows = await (limit === null ? query : query.limit(limit));
  return rows.map((r) => referralRecord(r.slip, r));
}

/**
 * The position of the slip a cursor names, if it is one this inbox could list in some state: addressed
 * to the office and, for a county's office, of a case in its county. Its state is not asked: a slip
 * answered since the page that gave the cursor keeps its place. One statement. (A slip's due date
 * moves only when a hub starts under another holiday calendar and counts the waiting slips' dates
 * again, db/cases/due-recount.ts: a walk across such a start goes on from its cursor slip's new date.)
 */
export async function inboxPosition(db: HubDb, q: InboxQuery, slipId: number): Promise<InboxPosition | null> {
  const [row] = await db
    .select({ dueOn: referralSlip.dueOn, id: referralSlip.id })
    .from(referralSlip)
    .innerJoin(aidCase, eq(aidCase.id, referralSlip.caseId))
    .where(and(eq(referralSlip.id, slipId), eq(referralSlip.toOffice, q.office), q.townshipPrefix === null ? undefined : like(aidCase.townshipCode, `${q.townshipPrefix}%`)));
  return row ?? null;
}

/**
 * A page of an office's inbox: its first `limit` slips after `after` in (due date, id) order. One
 * statement however many slips the office has. Each state asked is read off the (to_office, state,
 * due_on) index in that order from the position, at most `limit` entries of it (more only where a
 * county's office passes the other counties' slips), and the states' heads merged: `state IN (…)`
 * in one range would read and sort every slip of the office after the position, so a walk through
 * a bureau's years of answered slips read them O(n²).
 */
export async function referralInboxPage(db: HubDb, q: InboxQuery, after: InboxPosition | null, limit: number): Promise<ReferralRecord[]> {
  if (q.states.length === 0) return [];
  const branch = (state: ReferralRecord['state']) => sql`(SELECT ${referralSlip.id}, ${referralSlip.dueOn} FROM ${referralSlip}${
    q.townshipPrefix === null ? sql`` : sql` INNER JOIN ${aidCase} ON ${aidCase.id} = ${referralSlip.caseId} AND ${aidCase.townshipCode} LIKE ${`${q.townshipPrefix}%`}`
  } WHERE ${and(
    eq(referralSlip.toOffice, q.office),
    eq(referralSlip.state, state),
    q.dueOnOrBefore === null ? undefined : lte(referralSlip.dueOn, q.dueOnOrBefore),
    after === null ? undefined : or(gt(referralSlip.dueOn, after.dueOn), and(eq(referralSlip.dueOn, after.dueOn), gt(referralSlip.id, after.id))),
  )} ORDER BY ${referralSlip.dueOn}, ${referralSlip.id} LIMIT ${limit})`;
  const heads = sql.join([...new Set(q.states)].map(branch), sql` UNION ALL `);
  const rows = await slipsWhere(db, inArray(referralSlip.id, sql`(SELECT heads.id FROM (${heads}) AS heads)`))
    .orderBy(asc(referralSlip.dueOn), asc(referralSlip.id))
    .limit(limit);
  return rows.map((r) => referralRecord(r.slip, r));
}

/**
 * Slips without feedback at `asOf` whose due date is before `today` (asOf's date), with their
 * case's township: those without feedback now and, for an `asOf` in the past, those answered
 * since (each read through the state and due-date index).
 */
export async function openReferralsDueBefore(db: HubDb, today: IsoDate, regionPrefix: string | null, asOf: Date | null = null): Promise<ReferralRecord[]> {
  const inRegion = caseInRegion(regionPrefix);
  const [open, answeredSince] = await Promise.all([
    slipsWhere(db, and(inArray(referralSlip.state, [...WAITING_REFERRAL_STATES]), lt(referralSlip.dueOn, today), inRegion)),
    // A slip superseded since (decisionCorrect) was still the office's open work then: its answeredAt is when it was superseded.
    asOf === null ? [] : slipsWhere(db, and(inArray(referralSlip.state, ANSWERED_REFERRAL_STATES), lt(referralSlip.dueOn, today), gt(referralSlip.answeredAt, toDbInstant(asOf)), inRegion)),
  ]);
  return [...open, ...answeredSince]
    .sort((a, b) => a.slip.dueOn.localeCompare(b.slip.dueOn) || a.slip.id - b.slip.id)
    .map((r) => referralRecord(r.slip, r));
}

/** Slips read per reminder pass (the rest are read at the next tick). */
export const REMINDER_BATCH = 500;

/**
 * Slips waiting for their answer that have a reminder due and not yet queued: those past their due
 * date (`today`, China) without an OVERDUE reminder, and those due from today up to `dueSoonUntil`
 * without a DUE_SOON one (resolvers/cases/referral-reminders.ts judges which is due). Through the
 * state and due-date index; a slip reminded of its kind is left out by the reminder's primary key.
 */
export async function slipsToRemind(db: HubDb, today: IsoDate, dueSoonUntil: IsoDate): Promise<ReferralRecord[]> {
  const rows = await slipsWhere(
    db,
    and(
      inArray(referralSlip.state, [...WAITING_REFERRAL_STATES]),
      lte(referralSlip.dueOn, dueSoonUntil),
      sql`NOT EXISTS (SELECT 1 FROM ${referralReminder} r WHERE r.referral_id = ${referralSlip.id} AND r.kind = CASE WHEN ${referralSlip.dueOn} < ${today} THEN 'OVERDUE' ELSE 'DUE_SOON' END)`,
    ),
  )
    .orderBy(asc(referralSlip.dueOn), asc(referralSlip.id))
    .limit(REMINDER_BATCH);
  return rows.map((r) => referralRecord(r.slip, r));
}

/**
 * Spends a slip's reminder of one kind, in the transaction that queues its pushes: true when this
 * call recorded it, false when it was recorded before (by another process, or before a restart) or
 * the slip is no longer waiting with that due date (answered, superseded or recounted since it was
 * read: nothing is sent). The primary key (referral_id, kind) makes it once per slip and kind; the
 * slip's row is locked first and read as it is now, so an answer written meanwhile either comes
 * first (nothing is recorded) or waits for the reminder's commit. `subscriptions`: how many pushes
 * the caller queues with it (for people reading the table).
 */
export async function spendReminder(tx: LockingTx, referralId: number, kind: ReminderKind, dueOn: IsoDate, at: Date, subscriptions: number): Promise<boolean> {
  const [slip] = await tx.select({ state: referralSlip.state, dueOn: referralSlip.dueOn }).from(referralSlip).where(eq(referralSlip.id, referralId)).for('update');
  if (!slip || slip.dueOn !== dueOn || !isWaitingReferral(slip.state)) return false;
  const res = await tx.execute(
    sql`INSERT IGNORE INTO ${referralReminder} (referral_id, kind, due_on, subscriptions, created_at) VALUES (${referralId}, ${kind}, ${dueOn}, ${subscriptions}, ${toDbInstant(at)})`,
  );
  return (res as unknown as [{ affectedRows: number }])[0].affectedRows === 1;
}

/**
 * Slips answered (completed or declined), or superseded by a correction, from `from` up to `to`, on
 * time or not: supervision lists the late ones (a slip superseded when already late was missed) and
 * tallies all of them (domain/cases/supervision.ts ReferralTally). Through the state and due-date
 * index (its state prefix: a due-date bound could only drop the slips answered early); in the order answered.
 */
export async function referralsAnsweredBetween(db: HubDb, from: Date, to: Date, regionPrefix: string | null): Promise<ReferralRecord[]> {
  const rows = await slipsWhere(db, and(inArray(referralSlip.state, ANSWERED_REFERRAL_STATES), inPeriodAndRegion(referralSlip.answeredAt, from, to, regionPrefix))).orderBy(
    asc(referralSlip.answeredAt),
    asc(referralSlip.id),
  );
  return rows.map((r) => referralRecord(r.slip, r));
}

/**
 * Slips due on the days from `fromDay` up to `toDay` (China dates), in any state, of cases whose
 * household is under `regionPrefix`: what fell due in supervision's period (the tally's fellDue),
 * answered or not. Through the state and due-date index, one range per state.
 */
export async function referralsDueBetween(db: HubDb, fromDay: IsoDate, toDay: IsoDate, regionPrefix: string | null): Promise<ReferralRecord[]> {
  const rows = await slipsWhere(db, and(inArray(referralSlip.state, [...REFERRAL_STATES]), gte(referralSlip.dueOn, fromDay), lte(referralSlip.dueOn, toDay), caseInRegion(regionPrefix))).orderBy(
    asc(referralSlip.dueOn),
    asc(referralSlip.id),
  );
  return rows.map((r) => referralRecord(r.slip, r));
}

/**
 * Slips declined from `from` up to `to`, decisions and forwarded slips alike, whatever became of them
 * since (reassigned, waived, decided again, or still open): supervision lists every decline of its
 * period with its reason under the office that declined it. Through the state and due-date index (the
 * declined slips); in the order declined.
 */
export async function referralsDeclinedBetween(db: HubDb, from: Date, to: Date, regionPrefix: string | null): Promise<ReferralRecord[]> {
  const rows = await slipsWhere(db, and(eq(referralSlip.state, 'DECLINED'), inPeriodAndRegion(referralSlip.answeredAt, from, to, regionPrefix))).orderBy(
    asc(referralSlip.answeredAt),
    asc(referralSlip.id),
  );
  return rows.map((r) => referralRecord(r.slip, r));
}

/**
 * A slip that ended unanswered, as supervision lists it: superseded by a correction, with the
 * correction's reason and the slip that carries the decision now; or withdrawn by the case's owner
 * (its reason is the slip's withdrawReason), with who withdrew it.
 */
export type EndedUnansweredSlipRecord = ReferralRecord & {
  /** The office that owned the case when the slip ended: the convener who corrected it, or the owner who withdrew it. */
  ownerThen: string;
  /** The correction's reason (decision_correction.reason); null for a slip superseded without a correction row, or withdrawn. */
  correctionReason: string | null;
  /** The slip that carries the corrected decision now, and its due date; null: the decision was withdrawn (or the slip was). */
  replacedBy: number | null;
  replacementDueOn: IsoDate | null;
  /** WITHDRAWN: who withdrew it, as its REFERRAL_WITHDRAWN event records the act (`client/officer`); null otherwise. */
  withdrawnBy: string | null;
};

/**
 * Slips that ended unanswered from `from` up to `to`, before their due date or after it: those a
 * correction (decisionCorrect) superseded and those the case's owner withdrew (referralWithdraw),
 * each with the office that owned the case when it ended (`ownerThen`, records.ts ownerWhen: the
 * convener who corrected it, the owner who withdrew it); a superseded slip with the correction's
 * reason and the slip that replaced it with its due date, a withdrawn one with who withdrew it (its
 * REFERRAL_WITHDRAWN event's actor), all in the same statement: the spreadsheet prints them, the API
 * reads the correction through Referral.correction. Supervision lists every correction and every
 * withdrawal of its period, a deadline extended by a correction among them, so that neither makes a
 * slip quietly disappear. One statement for both (the report's statements stay as they were), through
 * the state and due-date index (the two states' ranges); in the order ended.
 */
export async function referralsEndedUnansweredBetween(db: HubDb, from: Date, to: Date, regionPrefix: string | null): Promise<EndedUnansweredSlipRecord[]> {
  const replacement = alias(referralSlip, 'replacement');
  const rows = await db
    .select({
      slip: referralSlip,
      householdId: aidCase.householdId,
      townshipCode: aidCase.townshipCode,
      meetingDay: slipMeetingDay,
      ownerThen: ownerWhen(referralSlip.answeredAt),
      correctionReason: decisionCorrection.reason,
      replacedBy: decisionCorrection.replacedBy,
      replacementDueOn: replacement.dueOn,
      // A slip is withdrawn once (checkWithdrawal; a retry records nothing): its one event.
      withdrawnBy: sql<string | null>`(SELECT e.actor FROM ${caseEvent} e WHERE e.case_id = ${referralSlip.caseId} AND e.referral_id = ${referralSlip.id} AND e.action = 'REFERRAL_WITHDRAWN' ORDER BY e.seq LIMIT 1)`,
    })
    .from(referralSlip)
    .innerJoin(aidCase, eq(aidCase.id, referralSlip.caseId))
    .leftJoin(decisionCorrection, and(eq(decisionCorrection.referralId, referralSlip.id), eq(decisionCorrection.role, 'SUPERSEDED')))
    .leftJoin(replacement, eq(replacement.id, decisionCorrection.replacedBy))
    .where(and(inArray(referralSlip.state, [...ENDED_UNANSWERED_STATES]), inPeriodAndRegion(referralSlip.answeredAt, from, to, regionPrefix)))
    .orderBy(asc(referralSlip.answeredAt), asc(referralSlip.id));
  return rows.map((r) => ({
    ...referralRecord(r.slip, r),
    ownerThen: r.ownerThen,
    correctionReason: r.correctionReason,
    replacedBy: r.replacedBy,
    replacementDueOn: r.replacementDueOn,
    withdrawnBy: r.slip.state === 'WITHDRAWN' ? r.withdrawnBy : null,
  }));
}

/**
 * Decisions completed with their aid record (their fulfilment), answered from `from` up to `to`,
 * with their case's township and the fulfilment kept: the supervision view lists those met short and
 * those whose record no longer stands. One statement; in the order completed.
 */
export async function decisionsFulfilledAnswered(db: HubDb, from: Date, to: Date, regionPrefix: string | null): Promise<(ReferralRecord & { fulfilment: FulfilmentRecord })[]> {
  const rows = await db
    .select({ slip: referralSlip, householdId: aidCase.householdId, townshipCode: aidCase.townshipCode, meetingDay: slipMeetingDay, fulfilment: referralFulfilment })
    .from(referralFulfilment)
    .innerJoin(referralSlip, eq(referralSlip.id, referralFulfilment.referralId))
    .innerJoin(aidCase, eq(aidCase.id, referralSlip.caseId))
    .where(
      and(
        eq(referralSlip.state, 'COMPLETED'),
        inPeriodAndRegion(referralSlip.answeredAt, from, to, regionPrefix),
      ),
    )
    .orderBy(asc(referralSlip.answeredAt), asc(referralSlip.id));
  return rows.map((r) => ({ ...referralRecord(r.slip, r), fulfilment: r.fulfilment }));
}

/**
 * Cases not yet ended, with their events, for the supervision view's deadline check; also those
 * ended at or after `endedSince` (the cases open at a past asOf, ended since, and those that ended
 * in the report's period, whose deadlines may have run late to their end). Two statements however many.
 *
 * Open is read as `ended_at IS NULL`, not by state: the one write of a case's state (applyTransition)
 * sets ended_at exactly when the state becomes terminal, and a terminal state is never left. So the
 * open cases and the period's ended ones are two ranges of the index aid_case_ended, where a state
 * test beside ended_at read every case the city ever had (test/cases-late-index.test.ts).
 */
export async function casesWithEvents(db: HubDb, regionPrefix: string | null, endedSince: Date): Promise<{ cases: CaseRecord[]; events: CaseEventRecord[] }> {
  const inRegion = caseInRegion(regionPrefix);
  const open = isNull(aidCase.endedAt);
  const cases = (
    await db
      .select()
      .from(aidCase)
      .where(and(or(open, gte(aidCase.endedAt, toDbInstant(endedSince))), inRegion))
      .orderBy(asc(aidCase.reportedAt), asc(aidCase.id))
  ).map(caseRecord);
  const events = cases.length === 0 ? [] : await eventsByCaseIds(db, cases.map((c) => c.id));
  return { cases, events };
}

/**
 * The household's decisions still waiting for their department (ISSUED or ACCEPTED): decided, not
 * yet given, so in no department's data. A new decision is checked against them
 * (domain/cases/decision-checks.ts ungivenDecisionFindings). Whatever became of their case: a case
 * handed over to another county (HANDED_OVER) ends with its open slips still its offices' to answer
 * (db/cases/hand-over.ts), and a reassignment on it issues more, so the county the household moved
 * to could otherwise decide the same aid again; a case closed, rejected or withdrawn ended with every
 * slip answered (REFERRALS_WITHOUT_FEEDBACK), so it holds none. With each, its case's report time
 * for the case's reference.
 */
export async function ungivenDecisionsOfHousehold(db: HubDb, householdId: number): Promise<(ReferralRecord & { caseReportedAt: Date; decidedOn: IsoDate })[]> {
  return ungivenDecisionsOfHouseholds(db, [householdId]);
}

/** ungivenDecisionsOfHousehold of several households in one statement (the loader's batch: a dossier's or a case's charity needs), by slip id. */
export async function ungivenDecisionsOfHouseholds(db: HubDb, householdIds: readonly number[]): Promise<(ReferralRecord & { caseReportedAt: Date; decidedOn: IsoDate })[]> {
  if (householdIds.length === 0) return [];
  const rows = await db
    .select({ slip: referralSlip, householdId: aidCase.householdId, townshipCode: aidCase.townshipCode, meetingDay: slipMeetingDay, reportedAt: aidCase.reportedAt, heldOn: caseMeeting.heldOn })
    .from(referralSlip)
    .innerJoin(aidCase, eq(aidCase.id, referralSlip.caseId))
    .leftJoin(caseMeeting, eq(caseMeeting.id, referralSlip.meetingId))
    .where(and(inArray(aidCase.householdId, [...householdIds]), eq(referralSlip.kind, 'DECISION'), inArray(referralSlip.state, [...WAITING_REFERRAL_STATES])))
    .orderBy(asc(referralSlip.id));
  // Decided on its meeting's day, else (a reassignment) the day it was issued, China time: as a completion dates it (verifyFeedback).
  return rows.map((r) => ({ ...referralRecord(r.slip, r), caseReportedAt: fromDbInstant(r.reportedAt), decidedOn: r.heldOn ?? chinaDateOf(fromDbInstant(r.slip.issuedAt)) }));
}

/**
 * Which of these aid records already fulfil a decision (aid_record_use: the office a completed slip
 * was addressed to, and the record's reference), as `office` and `aidSourceRef`. One statement, through
 * the table's unique key; none when no record is asked about.
 */
export async function aidRecordsInUse(db: HubDb, records: readonly { office: string; aidSourceRef: string }[]): Promise<{ office: string; aidSourceRef: string }[]> {
  if (records.length === 0) return [];
  const offices = [...new Set(records.map((r) => r.office))];
  const refs = [...new Set(records.map((r) => r.aidSourceRef))];
  return db
    .select({ office: aidRecordUse.office, aidSourceRef: aidRecordUse.aidSourceRef })
    .from(aidRecordUse)
    .where(and(inList(aidRecordUse.office, offices), inList(aidRecordUse.aidSourceRef, refs)));
}
