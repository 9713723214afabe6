/**
 * Alerts in the hub database: opening and raising them (one alert per identity, a unique index
 * keeps it so under any number of writers), their moves with history, the reads of the inbox and
 * the supervision view, and the change-feed watermarks. A move locks its alert (FOR UPDATE) and is a
 * conditional UPDATE from the states it may start from, so of two racing moves exactly one lands;
 * a recount of its dates locks it too, and counts it as it is then.
 */
import { sealedTransaction, sealLater } from '../cases/seals';
import { and, asc, count, desc, eq, gt, gte, inArray, isNotNull, isNull, like, lt, lte, max, or, sql, type SQL } from 'drizzle-orm';
import { retryLockConflicts, type HubDb } from '../connect';
import type { HubTx } from '../cases/records';
import { lockingTransaction, type LockingTx } from '../locking';
import { fromDbInstant, toDbInstant } from '../instants';
import { chinaDateOf } from '../../domain/cases/china-time';
import { townshipOf } from '../../domain/cases/offices';
import { aidCase, caseEvent } from '../cases/schema';
import { household, householdMember } from '../household/schema';
import { monitoringAlert, monitoringAlertEvent, monitoringVillageNotice, monitoringWatermark } from './schema';
import { GRADE_RANK, type Grade, type Limit } from '../../domain/monitoring/triggers';
import { MOVE_ACTION, openedFromAlertReason, OPEN_ALERT_STATES, verifierAfterHandOver, acknowledgeDeadline, isAlertVerifier, type AlertCaller, decideByCorrection, deadlineCorrection, keptContradicted, keptNotYetTold, movedDeadlines, type CountedDates, type KeptOtherwise, type LimitToCount, type RecountedDeadlines, UNSIGNED_ALERT_STATES, alertDeadlines, decidesAlert, identityChain, isRepeatOf, landingIdentity, moveAlert, moveEventReason, type AlertMove, type AlertOutcome, type AlertState } from '../../domain/monitoring/alerts';
import type { IsoDate } from '../../domain/dates';

type Db = HubDb | HubTx;
export type AlertRow = typeof monitoringAlert.$inferSelect;
export type AlertEventRow = typeof monitoringAlertEvent.$inferSelect;

/**
 * An alert to open or raise, with everything the store keeps: its dates with the working days each
 * was counted with (null: calendar days, or a day not counted from a limit), kept to count it again
 * under another holiday calendar.
 */
export interface AlertWrite extends CountedDates {
  identity: string;
  triggerId: string;
  grade: Grade;
  subjectIdNumber: string;
  householdId: number | null;
  regionCode: string;
  townshipCode: string;
  verifierOffice: string;
  monitored: boolean;
  evidence: string[];
  evidenceRefs: string[];
  measure: number;
  firstClueOn: IsoDate;
  /** The trigger's limit at `grade`: a raise to this grade counts it from the alert's first clue. */
  limit: LimitToCount;
}

export interface AlertChange {
  event: 'ALERT_OPENED' | 'ALERT_RAISED' | 'ALERT_MOVED';
  alert: AlertRow;
  /** ALERT_MOVED: the division it left. */
  formerRegionCode?: string;
}

/** The hub acting itself (detection, delivery, a move, a corrected day): its events name no office. */
export const HUB_ACTOR = { actor: 'hub', office: 'HUB' };

/** A MOVED event's reason, for people: household ids and division codes only, no name or ID number. */
function movedReason(from: { householdId: number | null; regionCode: string }, to: { householdId: number | null; regionCode: string }): string {
  return `household ${from.householdId ?? '-'} (${from.regionCode}) → ${to.householdId ?? '-'} (${to.regionCode})`;
}

/** A MOVED event's reason when the alert went with its case's hand-over (followCaseHandOver): the cases too. */
function handOverMoveReason(from: { householdId: number | null; regionCode: string }, to: { householdId: number | null; regionCode: string }, cases: { from: number; to: number }): string {
  return `${movedReason(from, to)}; case ${cases.from} handed over as case ${cases.to}`;
}

/**
 * What a MOVED event records besides its words, in its own columns: the division the alert left and,
 * with a case's hand-over, the case handed over and its successor. Readers take these, never the
 * reason, whose wording is for people and may change (or be translated) without changing a fact.
 */
export interface MoveFacts {
  formerRegionCode: string;
  handedOverCaseId: number | null;
  successorCaseId: number | null;
}

/**
 * Whether a MOVED event is a move with a case's hand-over (followCaseHandOver: its successor case
 * recorded). Such a move keeps a department verifier, civil affairs that took the alert over
 * included, so unlike a move to another township it does not end a takeover (Alert.takenOver,
 * alertTakeOver's repeat).
 */
export function movedWithHandOver(e: Pick<AlertEventRow, 'action' | 'successorCaseId'>): boolean {
  return e.action === 'MOVED' && e.successorCaseId !== null;
}

/** An event that takes an alert over, or ends a takeover (a move to another township; not one with its case's hand-over): the latest says whether a takeover stands. */
export function takesOverOrEndsTakeover(e: Pick<AlertEventRow, 'action' | 'successorCaseId'>): boolean {
  return e.action === 'TAKEN_OVER' || (e.action === 'MOVED' && !movedWithHandOver(e));
}

/** The division an alert left, as its MOVED event records it; null for any other event. */
export function formerRegionOfMove(e: Pick<AlertEventRow, 'action' | 'formerRegionCode'>): string | null {
  return e.action === 'MOVED' ? e.formerRegionCode : null;
}

async function addEvent(tx: HubTx, alertId: number, e: { action: AlertEventRow['action']; fromState: AlertState | null; toState: AlertState; grade: Grade; at: string; actor: string; office: string; reason: string | null; move?: MoveFacts }): Promise<void> {
  const m = e.move ?? { formerRegionCode: null, handedOverCaseId: null, successorCaseId: null };
  await tx.execute(
    sql`INSERT INTO monitoring_alert_event (alert_id, seq, action, from_state, to_state, grade, at, actor, actor_office, reason, former_region_code, handed_over_case_id, successor_case_id)
        SELECT ${alertId}, COALESCE(MAX(seq), 0) + 1, ${e.action}, ${e.fromState}, ${e.toState}, ${e.grade}, ${e.at}, ${e.actor}, ${e.office}, ${e.reason}, ${m.formerRegionCode}, ${m.handedOverCaseId}, ${m.successorCaseId} FROM monitoring_alert_event WHERE alert_id = ${alertId}`,
  );
}

/**
 * Events of many alerts, numbered after each alert's last (several of one alert in the order given):
 * two statements whatever their number. The caller has locked the alert rows (as every writer of an alert's events does first), so
 * no other writer numbers one alert's events alike meanwhile.
 */
async function addEvents(tx: HubTx, events: readonly Omit<typeof monitoringAlertEvent.$inferInsert, 'seq'>[]): Promise<void> {
  if (events.length === 0) return;
  const ids = [...new Set(events.map((e) => e.alertId))];
  const last = new Map(
    (await tx.select({ alertId: monitoringAlertEvent.alertId, seq: max(monitoringAlertEvent.seq) }).from(monitoringAlertEvent).where(inArray(monitoringAlertEvent.alertId, ids)).groupBy(monitoringAlertEvent.alertId)).map((r) => [r.alertId, r.seq ?? 0]),
  );
  // Several events of one alert are numbered one after the other, in the order given.
  await tx.insert(monitoringAlertEvent).values(
    events.map((e) => {
      const seq = (last.get(e.alertId) ?? 0) + 1;
      last.set(e.alertId, seq);
      return { ...e, seq };
    }),
  );
}

/** Rows per multi-row INSERT: evidence is text, so a statement stays well under max_allowed_packet. */
const ROWS_PER_INSERT = 500;

/**
 * Opens the alerts not seen before and raises those whose condition worsened (a graver grade or a
 * larger measure), inside the caller's transaction; the same condition seen again changes nothing.
 * Returns what changed, for delivery. One read for all; new alerts in multi-row statements (the
 * alerts, one read back, their OPENED events), then one write per raised alert.
 */
export async function openOrRaiseAlerts(tx: HubTx, writes: readonly AlertWrite[], detectedBy: 'POLL' | 'MONTHLY', now: Date, onChange?: (c: AlertChange) => Promise<void>): Promise<AlertChange[]> {
  if (writes.length === 0) return [];
  const asSeen = new Map(writes.map((w) => [w.identity, w]));
  // An identity's alerts: its own, and those opened when it turned graver than a closed one (landingIdentity).
  const existing = new Map((await tx.select().from(monitoringAlert).where(inArray(monitoringAlert.identity, [...asSeen.keys()].flatMap(identityChain)))).map((r) => [r.identity, r]));
  const unique = new Map<string, AlertWrite>();
  for (const w of asSeen.values()) {
    const identity = landingIdentity(w.identity, w.grade, (id) => existing.get(id));
    if (identity !== null) unique.set(identity, { ...w, identity });
  }
  const at = toDbInstant(now);
  const changes: AlertChange[] = [];
  const fresh = [...unique.values()].filter((w) => !existing.has(w.identity));
  for (let i = 0; i < fresh.length; i += ROWS_PER_INSERT) {
    const part = fresh.slice(i, i + ROWS_PER_INSERT);
    await tx.execute(
      sql`INSERT IGNORE INTO monitoring_alert (identity, trigger_id, grade, state, subject_id_number, household_id, region_code, township_code, verifier_office, monitored, evidence, evidence_refs, measure, detected_by, raised_at, first_clue_on, acknowledge_by, verify_by, decide_by, provisional, acknowledge_working_days, verify_working_days, decide_working_days, verify_days, decide_days, deadline_counts_kept, calendar_days_checked, updated_at) VALUES ${sql.join(
        part.map(
          (w) =>
            sql`(${w.identity}, ${w.triggerId}, ${w.grade}, 'NEW', ${w.subjectIdNumber}, ${w.householdId}, ${w.regionCode}, ${w.townshipCode}, ${w.verifierOffice}, ${w.monitored}, ${JSON.stringify(w.evidence)}, ${JSON.stringify(w.evidenceRefs)}, ${w.measure}, ${detectedBy}, ${at}, ${w.firstClueOn}, ${w.acknowledgeBy}, ${w.verifyBy}, ${w.decideBy}, ${w.provisional}, ${w.acknowledgeWorkingDays}, ${w.verifyWorkingDays}, ${w.decideWorkingDays}, ${w.verifyDays}, ${w.decideDays}, ${w.acknowledgeWorkingDays !== null}, ${w.acknowledgeWorkingDays !== null}, ${at})`,
        ),
        sql`, `,
      )}`,
    );
    // Read back what this statement opened. A row another writer opened a moment ago (INSERT IGNORE
    // skipped ours) is the same alert and not ours to announce: it carries the other writer's path or instant.
    const opened = await tx
      .select()
      .from(monitoringAlert)
      .where(and(inArray(monitoringAlert.identity, part.map((w) => w.identity)), eq(monitoringAlert.detectedBy, detectedBy), eq(monitoringAlert.raisedAt, at), eq(monitoringAlert.state, 'NEW')));
    const byIdentity = new Map(opened.map((r) => [r.identity, r]));
    const rows = part.flatMap((w) => byIdentity.get(w.identity) ?? []);
    if (rows.length === 0) continue;
    const reason = `detected by ${detectedBy === 'POLL' ? 'change feed' : 'monthly comparison'}`;
    await tx.insert(monitoringAlertEvent).values(rows.map((r) => ({ alertId: r.id, seq: 1, action: 'OPENED' as const, fromState: null, toState: 'NEW' as const, grade: r.grade, at, actor: HUB_ACTOR.actor, actorOffice: HUB_ACTOR.office, reason })));
    for (const row of rows) {
      const change: AlertChange = { event: 'ALERT_OPENED', alert: row };
      changes.push(change);
      if (onChange) await onChange(change);
    }
  }
  for (const w of unique.values()) {
    let old = existing.get(w.identity);
    if (!old) continue;
    if (OPEN_ALERT_STATES.includes(old.state) && (w.householdId !== old.householdId || w.regionCode !== old.regionCode)) {
      const moved = await followHome(tx, old, w, at);
      if (moved) {
        const change: AlertChange = { event: 'ALERT_MOVED', alert: moved, formerRegionCode: old.regionCode };
        old = moved;
        changes.push(change);
        if (onChange) await onChange(change);
      }
    }
    const fields = {
      grade: w.grade,
      evidence: JSON.stringify(w.evidence),
      evidenceRefs: JSON.stringify(w.evidenceRefs),
      measure: w.measure,
      updatedAt: at,
    };
    if (!OPEN_ALERT_STATES.includes(old.state)) continue;
    const graver = GRADE_RANK[w.grade] > GRADE_RANK[old.grade];
    const larger = w.measure > old.measure;
    if (!graver && !larger) continue;
    const grade = graver ? w.grade : old.grade;
    // Limits are per grade: a graver grade's limit runs from the alert's first clue, as if it had
    // been opened at that grade; a raise never moves a deadline later.
    const deadlines = graver ? raisedDeadlines(old, w.limit) : keptDeadlines(old);
    const [res] = await tx.execute(
      sql`UPDATE monitoring_alert SET grade = ${grade}, evidence = ${fields.evidence}, evidence_refs = ${fields.evidenceRefs}, measure = ${w.measure},
            acknowledge_by = ${deadlines.acknowledgeBy}, verify_by = ${deadlines.verifyBy}, decide_by = ${deadlines.decideBy}, provisional = ${deadlines.provisional},
            acknowledge_working_days = ${deadlines.acknowledgeWorkingDays}, verify_working_days = ${deadlines.verifyWorkingDays}, decide_working_days = ${deadlines.decideWorkingDays},
            verify_days = ${deadlines.verifyDays}, decide_days = ${deadlines.decideDays}, updated_at = ${at}
          WHERE id = ${old.id} AND grade = ${old.grade} AND measure = ${old.measure} AND state IN ('NEW', 'DELIVERED', 'ACKNOWLEDGED')`,
    );
    if ((res as unknown as { affectedRows: number }).affectedRows !== 1) continue;
    await addEvent(tx, old.id, { action: 'RAISED', fromState: old.state, toState: old.state, grade, at, actor: HUB_ACTOR.actor, office: HUB_ACTOR.office, reason: graver ? `grade ${old.grade} → ${grade}` : `measure ${old.measure} → ${w.measure}` });
    const change: AlertChange = { event: 'ALERT_RAISED', alert: { ...old, ...fields, ...deadlines, grade } };
    changes.push(change);
    if (onChange) await onChange(change);
  }
  return changes;
}

/**
 * An open alert seen again with its person in another household or division (they moved, or their
 * household did) goes with them: the township that verifies door to door is the one they live in
 * now. It was left with the old township, which had nobody to visit, while the new one never heard
 * of it (its condition, one identity, opened nothing there). State, grade and deadlines stay; the
 * move is recorded (MOVED) and pushed to the subscriptions of the new division. It goes back to NEW
 * whatever the old township did with it (delivered, signed for): the new township has to sign for
 * it itself, within its 签收 limit counted from the day of the move (acknowledge_from), as the old
 * township's was from the first clue; grade and the verification day stay, as the clue's day does.
 * An alert civil affairs had taken over goes to the new township too: the move is a new start. Null when another
 * writer moved or closed it first, or when the household it is with still holds the person: someone
 * in two households at once (an X9 case) is seen in each, by pages of the monthly comparison that
 * know only their own households, and the alert would go back and forth between them every month.
 */
async function followHome(tx: HubTx, old: AlertRow, w: AlertHome, at: string): Promise<AlertRow | null> {
  if (old.householdId !== null && w.householdId !== old.householdId) {
    const still = await tx
      .select({ householdId: householdMember.householdId })
      .from(householdMember)
      .where(and(eq(householdMember.householdId, old.householdId), eq(householdMember.idNumber, old.subjectIdNumber), isNull(householdMember.leftOn)))
      .limit(1);
    if (still.length > 0) return null;
  }
  const movedOn = chinaDateOf(fromDbInstant(at));
  const ack = acknowledgeDeadline(movedOn, w.limit);
  const provisional = old.provisional || ack.provisional;
  const [res] = await tx.execute(
    sql`UPDATE monitoring_alert SET household_id = ${w.householdId}, region_code = ${w.regionCode}, township_code = ${w.townshipCode}, verifier_office = ${w.verifierOffice},
          state = 'NEW', acknowledge_from = ${movedOn}, acknowledge_by = ${ack.acknowledgeBy}, acknowledge_working_days = ${ack.acknowledgeWorkingDays}, provisional = ${provisional}, updated_at = ${at}
        WHERE id = ${old.id} AND region_code = ${old.regionCode} AND household_id <=> ${old.householdId} AND state IN ('NEW', 'DELIVERED', 'ACKNOWLEDGED')`,
  );
  if ((res as unknown as { affectedRows: number }).affectedRows !== 1) return null;
  const reason = movedReason(old, w);
  const move: MoveFacts = { formerRegionCode: old.regionCode, handedOverCaseId: null, successorCaseId: null };
  await addEvent(tx, old.id, { action: 'MOVED', fromState: old.state, toState: 'NEW', grade: old.grade, at, actor: HUB_ACTOR.actor, office: HUB_ACTOR.office, reason, move });
  return { ...old, householdId: w.householdId, regionCode: w.regionCode, townshipCode: w.townshipCode, verifierOffice: w.verifierOffice, state: 'NEW', acknowledgeFrom: movedOn, acknowledgeBy: ack.acknowledgeBy, acknowledgeWorkingDays: ack.acknowledgeWorkingDays, provisional, updatedAt: at };
}

/**
 * 移交 of a case opened from an alert whose decision is still pending: the alert goes with the case
 * to the household's new home, inside the hand-over's transaction. What is left of it (the village
 * notice, its objections, the decision and the supervision of its decision limit) is the new
 * county's to do, where the household lives and its successor case is decided: the old township
 * could post a notice on a board of a village the household left, and the new one, which can,
 * could not reach the alert. State, outcome, deadlines and history stay (the verification remains
 * the old township's act, its event naming its office); a township verifier becomes the new
 * township, a department the same department of the new county (civil affairs that took it over
 * included, which also owns the successor). MOVED by the hub, naming household and divisions as
 * every move does, and the cases, which the event records beside the division left (MoveFacts);
 * its village notices go with it (their division, their reach), and a takeover stands
 * (movedWithHandOver). An alert decided already stays where it was decided.
 * Returns the moves, for delivery (ALERT_MOVED to the new division, ALERT_MOVED_AWAY to the old).
 */
export async function followCaseHandOver(tx: HubTx, caseIds: readonly number[], home: { householdId: number; regionCode: string }, cases: { from: number; to: number }, now: Date): Promise<AlertChange[]> {
  const at = toDbInstant(now);
  const pending = await tx.select().from(monitoringAlert).where(and(inArray(monitoringAlert.caseId, [...caseIds]), isNull(monitoringAlert.decidedOn)));
  const moved: AlertChange[] = [];
  for (const old of pending) {
    if (old.regionCode === home.regionCode && old.householdId === home.householdId) continue;
    const townshipCode = townshipOf(home.regionCode);
    const verifierOffice = verifierAfterHandOver(old.verifierOffice, townshipCode);
    const [res] = await tx.execute(
      sql`UPDATE monitoring_alert SET household_id = ${home.householdId}, region_code = ${home.regionCode}, township_code = ${townshipCode}, verifier_office = ${verifierOffice}, updated_at = ${at}
          WHERE id = ${old.id} AND region_code = ${old.regionCode} AND decided_on IS NULL`,
    );
    if ((res as unknown as { affectedRows: number }).affectedRows !== 1) continue;
    const reason = handOverMoveReason(old, home, cases);
    const move: MoveFacts = { formerRegionCode: old.regionCode, handedOverCaseId: cases.from, successorCaseId: cases.to };
    await addEvent(tx, old.id, { action: 'MOVED', fromState: old.state, toState: old.state, grade: old.grade, at, actor: HUB_ACTOR.actor, office: HUB_ACTOR.office, reason, move });
    moved.push({ event: 'ALERT_MOVED', alert: { ...old, householdId: home.householdId, regionCode: home.regionCode, townshipCode, verifierOffice, updatedAt: at }, formerRegionCode: old.regionCode });
  }
  // Its village notices go with it: one running passes to the new township, which reads it, records
  // and resolves its objections, withdraws and corrects it (a notice's reach is its division, as an
  // alert's). Its text keeps the village it was posted in.
  if (moved.length > 0) {
    await tx
      .update(monitoringVillageNotice)
      .set({ regionCode: home.regionCode })
      .where(inArray(monitoringVillageNotice.alertId, moved.map((m) => m.alert.id)));
  }
  return moved;
}

/** Where an alert's person lives now, and who verifies it there, with the limit its 签收 day is counted by. */
export type AlertHome = Pick<AlertWrite, 'householdId' | 'regionCode' | 'townshipCode' | 'verifierOffice' | 'limit'>;

/**
 * Open alerts whose person no longer lives where the alert is: the household it names no longer
 * holds them while another does, or that household's division changed (the household moved: a
 * site's import rewrote its address). A person in no household now (dead, or gone from the hub's
 * records) leaves the alert with the household it names, wherever that household lives: the family
 * who bore the costs is the one to visit.
 * At most `limit` rows, oldest alert first; the caller moves them (moveAlertsHome) and asks again.
 */
export async function openAlertsAwayFromHome(db: Db, limit: number): Promise<AlertRow[]> {
  return db
    .select()
    .from(monitoringAlert)
    .where(
      and(
        inArray(monitoringAlert.state, [...OPEN_ALERT_STATES]),
        sql`NOT EXISTS (SELECT 1 FROM household_member hm JOIN household h ON h.id = hm.household_id
              WHERE hm.id_number = ${monitoringAlert.subjectIdNumber} AND hm.left_on IS NULL AND hm.household_id = ${monitoringAlert.householdId} AND h.region_code = ${monitoringAlert.regionCode})`,
        or(
          sql`EXISTS (SELECT 1 FROM household_member hm WHERE hm.id_number = ${monitoringAlert.subjectIdNumber} AND hm.left_on IS NULL)`,
          sql`EXISTS (SELECT 1 FROM household h WHERE h.id = ${monitoringAlert.householdId} AND h.region_code <> ${monitoringAlert.regionCode})`,
        ),
      ),
    )
    .orderBy(asc(monitoringAlert.id))
    .limit(limit);
}

/**
 * Moves open alerts to their person's home as a detection seeing them there would (followHome:
 * MOVED, back to NEW, 签收 from the day of the move, grade and verification day kept), inside the
 * caller's transaction. An alert another writer moved or closed meanwhile, or whose household still
 * holds the person, is left as it is. Returns the moves, for delivery.
 */
export async function moveAlertsHome(tx: HubTx, moves: readonly { alert: AlertRow; home: AlertHome }[], now: Date): Promise<AlertChange[]> {
  const at = toDbInstant(now);
  const changes: AlertChange[] = [];
  for (const { alert, home } of moves) {
    if (alert.householdId === home.householdId && alert.regionCode === home.regionCode) continue;
    const moved = await followHome(tx, alert, home, at);
    if (moved) changes.push({ event: 'ALERT_MOVED', alert: moved, formerRegionCode: alert.regionCode });
  }
  return changes;
}

function keptDeadlines(old: AlertRow): CountedDates {
  return { acknowledgeBy: old.acknowledgeBy, verifyBy: old.verifyBy, decideBy: old.decideBy, provisional: old.provisional, acknowledgeWorkingDays: old.acknowledgeWorkingDays, verifyWorkingDays: old.verifyWorkingDays, decideWorkingDays: old.decideWorkingDays, verifyDays: old.verifyDays, decideDays: old.decideDays };
}

/**
 * The deadlines of an alert raised to a grade whose limit is `limit`: each the earlier of the two,
 * with the working days of the one that won (a day the two limits give alike keeps the count it had,
 * unless it had none kept).
 */
function raisedDeadlines(old: AlertRow, limit: LimitToCount): CountedDates {
  const graver = alertDeadlines(old.firstClueOn, limit);
  // 签收 is counted from the day of a move when the alert moved: the new township's clock.
  if (old.acknowledgeFrom !== null) graver.acknowledgeBy = acknowledgeDeadline(old.acknowledgeFrom, limit).acknowledgeBy;
  const wins = (g: IsoDate, o: IsoDate, oCount: number | null) => g < o || (g === o && oCount === null);
  const ack = wins(graver.acknowledgeBy, old.acknowledgeBy, old.acknowledgeWorkingDays);
  const verify = wins(graver.verifyBy, old.verifyBy, old.verifyWorkingDays ?? old.verifyDays);
  const decide = wins(graver.decideBy, old.decideBy, old.decideWorkingDays ?? old.decideDays);
  const acknowledgeBy = ack ? graver.acknowledgeBy : old.acknowledgeBy;
  const verifyBy = verify ? graver.verifyBy : old.verifyBy;
  const decideBy = decide ? graver.decideBy : old.decideBy;
  const moved = acknowledgeBy !== old.acknowledgeBy || verifyBy !== old.verifyBy || decideBy !== old.decideBy;
  return {
    acknowledgeBy,
    verifyBy,
    decideBy,
    provisional: old.provisional || (moved && graver.provisional),
    acknowledgeWorkingDays: ack ? graver.acknowledgeWorkingDays : old.acknowledgeWorkingDays,
    verifyWorkingDays: verify ? graver.verifyWorkingDays : old.verifyWorkingDays,
    decideWorkingDays: decide ? graver.decideWorkingDays : old.decideWorkingDays,
    verifyDays: verify ? graver.verifyDays : old.verifyDays,
    decideDays: decide ? graver.decideDays : old.decideDays,
  };
}

export type MoveRefusal<R extends string = never> = { code: 'ALERT_NOT_FOUND' | 'ILLEGAL_ALERT_TRANSITION' | 'NOT_ALERT_VERIFIER' | R; state: AlertState | null };

/**
 * What a move or a takeover takes from its caller's screen of the reason or note (a screen added
 * after moves and takeovers were kept, resolvers/monitoring): its refusal, answered in place of the
 * move unless the request repeats the one already made (a retry after a lost answer), which is
 * answered as every such retry is (`repeated`), as idempotent as before the screen existed.
 */
export interface ScreenedUnlessRepeated<R extends string> {
  refusedUnlessRepeated?: R | null;
}

export interface MoveInput<R extends string = never> extends ScreenedUnlessRepeated<R> {
  move: AlertMove;
  actor: string;
  office: string;
  reason: string | null;
  outcome?: AlertOutcome;
  now: Date;
  /**
   * The verifier the caller was found to be: judged again on the locked row, so a move racing a
   * takeover or a move to another township is refused (NOT_ALERT_VERIFIER) once the alert is not its.
   */
  verifierOffice?: string;
  /** NEEDS_AID: the case to open (origin ALERT) in the same transaction. */
  openCase?: { summary: string; townshipCode: string; urgency: 'NORMAL' | 'URGENT' };
}

export type MoveResult<R extends string = never> = { ok: true; alert: AlertRow; repeated: boolean } | { ok: false; refusal: MoveRefusal<R> };

/**
 * Moves an alert, records who/when/why, and (NEEDS_AID) opens its case, all in one transaction.
 * A move refused from the alert's state that repeats the move already made (the same move by the
 * same actor and office, with the same reason and outcome: a retry after a lost answer, or two
 * identical requests at once) is answered with the alert as it stands, `repeated`, and writes
 * nothing: no second event, case or push. A different move, or the same one with other arguments,
 * stays refused. `refusedUnlessRepeated` (ScreenedUnlessRepeated) is judged after that check: a
 * repeat is answered as above, any other request is refused with it and writes nothing.
 *
 * The alert row is read with a lock, as every other writer of its events locks it: moves of one
 * alert at once (two officers, a double click) take turns, so each is judged on the state the one
 * before it left and a refusal names that state. A plain read inside the transaction would return
 * its snapshot, the state before the winner committed (ACKNOWLEDGED for a lost verification).
 */
export async function moveAlertRow<R extends string = never>(db: HubDb, alertId: number, input: MoveInput<R>): Promise<MoveResult<R>> {
  const out = await applyMove(db, alertId, input);
  if (out.ok || out.refusal.code !== 'ILLEGAL_ALERT_TRANSITION') return out;
  // Only a move its state refuses can be one already made; any other the screen refuses, unmade.
  const screened: MoveResult<R> = input.refusedUnlessRepeated ? { ok: false, refusal: { code: input.refusedUnlessRepeated, state: null } } : out;
  // Read after the refusing transaction ended, so on every engine it sees the move that refused it
  // (committed before the lock was granted), without a locking read over the alert's events.
  const [done] = await db
    .select({ actor: monitoringAlertEvent.actor, office: monitoringAlertEvent.actorOffice, reason: monitoringAlertEvent.reason })
    .from(monitoringAlertEvent)
    .where(and(eq(monitoringAlertEvent.alertId, alertId), eq(monitoringAlertEvent.action, MOVE_ACTION[input.move])))
    .orderBy(desc(monitoringAlertEvent.seq))
    .limit(1);
  if (!done || !isRepeatOf(done, { actor: input.actor, office: input.office, reason: moveEventReason(input.outcome, input.reason) })) return screened;
  const [alert] = await alertsByIds(db, [alertId]);
  return alert ? { ok: true, alert, repeated: true } : screened;
}

async function applyMove<R extends string>(db: HubDb, alertId: number, input: MoveInput<R>): Promise<MoveResult<R>> {
  // A case opened from the alert is a case write: sealed with it (db/cases/seals.ts).
  return sealedTransaction(db, async (tx): Promise<MoveResult<R>> => {
    const [before] = await tx.select().from(monitoringAlert).where(eq(monitoringAlert.id, alertId)).for('update');
    if (!before) return { ok: false as const, refusal: { code: 'ALERT_NOT_FOUND' as const, state: null } };
    if (input.verifierOffice !== undefined && before.verifierOffice !== input.verifierOffice) return { ok: false as const, refusal: { code: 'NOT_ALERT_VERIFIER' as const, state: before.state } };
    const to = moveAlert(before.state, input.move);
    if (to === null) return { ok: false as const, refusal: { code: 'ILLEGAL_ALERT_TRANSITION' as const, state: before.state } };
    // A move its state allows was not made yet: no retry, the screen's refusal stands.
    if (input.refusedUnlessRepeated) return { ok: false as const, refusal: { code: input.refusedUnlessRepeated, state: null } };
    const at = toDbInstant(input.now);
    // A dismissal or no need is the decision itself; NEEDS_AID is decided with its case (db/cases/store.ts).
    const decidedOn = decidesAlert(input.move, input.outcome) ? chinaDateOf(input.now) : null;
    const [res] = await tx.execute(
      sql`UPDATE monitoring_alert SET state = ${to}, updated_at = ${at}, decided_on = COALESCE(decided_on, ${decidedOn}), outcome = ${input.outcome ?? null}, reason = ${input.move === 'VERIFY' || input.move === 'DISMISS' ? input.reason : sql`reason`} WHERE id = ${alertId} AND state = ${before.state}`,
    );
    if ((res as unknown as { affectedRows: number }).affectedRows !== 1) {
      // Another move landed first (the lock above makes this a safeguard): refuse with the state it
      // left, read with a lock so that it is the committed state, not this transaction's snapshot.
      const [now] = await tx.select({ state: monitoringAlert.state }).from(monitoringAlert).where(eq(monitoringAlert.id, alertId)).for('update');
      return { ok: false as const, refusal: { code: 'ILLEGAL_ALERT_TRANSITION' as const, state: now?.state ?? null } };
    }
    await addEvent(tx, alertId, { action: MOVE_ACTION[input.move], fromState: before.state, toState: to, grade: before.grade, at, actor: input.actor, office: input.office, reason: moveEventReason(input.outcome, input.reason) });
    if (input.openCase && before.householdId !== null) {
      const [ins] = await tx.insert(aidCase).values({
        householdId: before.householdId,
        townshipCode: input.openCase.townshipCode,
        origin: 'ALERT',
        urgency: input.openCase.urgency,
        state: 'REPORTED',
        summary: input.openCase.summary.slice(0, 500),
        firstOffice: input.office,
        ownerOffice: input.office,
        reportedAt: at,
      });
      sealLater(tx, aidCase, eq(aidCase.id, ins.insertId));
      sealLater(tx, caseEvent, eq(caseEvent.caseId, ins.insertId));
      await tx.insert(caseEvent).values({ caseId: ins.insertId, seq: 1, action: 'OPENED', toState: 'REPORTED', occurredAt: at, recordedAt: at, actor: input.actor, actorOffice: input.office, reason: openedFromAlertReason(alertId) });
      await tx.update(monitoringAlert).set({ caseId: ins.insertId }).where(eq(monitoringAlert.id, alertId));
    }
    const [after] = await tx.select().from(monitoringAlert).where(eq(monitoringAlert.id, alertId));
    return { ok: true as const, alert: after, repeated: false };
  });
}

export type TakeOverResult<R extends string = never> = { ok: true; alert: AlertRow; repeated: boolean } | { ok: false; code: 'ALERT_NOT_FOUND' | 'ILLEGAL_ALERT_TRANSITION' | 'ALREADY_VERIFIER' | R; state: AlertState | null };

/**
 * Civil affairs of the county or city takes an open alert over as its verifier (督办: it escalates
 * there once overdue, and may step in before), with the reason kept in the alert's history
 * (TAKEN_OVER). The state stays: signed for, the supervisor verifies it; not yet, it signs for it
 * first. A closed alert is not taken over (ILLEGAL_ALERT_TRANSITION); one the office verifies already
 * is ALREADY_VERIFIER, unless this is a repeat of the takeover that made it so (the same actor,
 * office and reason: a retry after a lost answer), answered with the alert and recording nothing.
 * `refusedUnlessRepeated` (ScreenedUnlessRepeated), as a move's: returned unless this is such a
 * retry, which is answered as before.
 */
export async function takeOverAlertRow<R extends string = never>(db: HubDb, alertId: number, input: { office: string; actor: string; reason: string; now: Date } & ScreenedUnlessRepeated<R>): Promise<TakeOverResult<R>> {
  const refusal = input.refusedUnlessRepeated ?? null;
  return lockingTransaction(db, async (tx): Promise<TakeOverResult<R>> => {
    const [before] = await tx.select().from(monitoringAlert).where(eq(monitoringAlert.id, alertId)).for('update');
    if (!before) return { ok: false, code: 'ALERT_NOT_FOUND', state: null };
    if (before.verifierOffice === input.office) {
      // The latest takeover or move that ended one (a move with a case's hand-over keeps it).
      const last = (
        await tx
          .select()
          .from(monitoringAlertEvent)
          .where(and(eq(monitoringAlertEvent.alertId, alertId), inArray(monitoringAlertEvent.action, ['TAKEN_OVER', 'MOVED'])))
          .orderBy(asc(monitoringAlertEvent.seq))
      )
        .filter(takesOverOrEndsTakeover)
        .at(-1);
      const repeat = last?.action === 'TAKEN_OVER' && isRepeatOf({ actor: last.actor, office: last.actorOffice, reason: last.reason }, { actor: input.actor, office: input.office, reason: input.reason });
      if (repeat) return { ok: true, alert: before, repeated: true };
      return refusal !== null ? { ok: false, code: refusal, state: null } : { ok: false, code: 'ALREADY_VERIFIER', state: before.state };
    }
    if (refusal !== null) return { ok: false, code: refusal, state: null };
    if (!OPEN_ALERT_STATES.includes(before.state)) return { ok: false, code: 'ILLEGAL_ALERT_TRANSITION', state: before.state };
    const at = toDbInstant(input.now);
    await tx.update(monitoringAlert).set({ verifierOffice: input.office, updatedAt: at }).where(eq(monitoringAlert.id, alertId));
    await addEvent(tx, alertId, { action: 'TAKEN_OVER', fromState: before.state, toState: before.state, grade: before.grade, at, actor: input.actor, office: input.office, reason: input.reason });
    return { ok: true, alert: { ...before, verifierOffice: input.office, updatedAt: at }, repeated: false };
  });
}

/** A push its subscriber's receiver acknowledged (2xx), as delivery hands it to markAlertsDelivered. */
export interface AcknowledgedPush {
  /** Why the alert moved, as its DELIVERED event records it (the push and subscription). */
  reason: string;
  /** The division the push named. */
  regionCode: string;
  /** The subscriber's client as the alert rules see it; null when no client has its name. */
  subscriber: AlertCaller | null;
}

/**
 * NEW → DELIVERED for the alerts of a delivery round's acknowledged pushes (delivery calls it;
 * idempotent), each with its DELIVERED event and the reason given for it: one transaction of four
 * statements for the whole round, whatever its size. One transaction per alert (moveAlertRow) cost
 * seven round trips each and, behind a burst, held delivery to a fifth of the rate alerts were
 * opened (bench:alerts). The alert rows are locked first, as every other move and raise locks
 * them before it writes an event, so no two writers number one alert's events alike. An alert is
 * moved by the first of its pushes that reached the office that must sign for it: a push naming the
 * division it is in now (not one queued before it moved, which reached an office that no longer
 * verifies it), to a subscriber that is its verifier (isAlertVerifier: the township's own system, or
 * the office a department's or civil affairs' alert is with). Another office's receiver (the city's
 * health bureau, the county's platform over a township's alert) taking it does not put it before
 * the township. An alert no longer NEW (signed for, closed, or moved by another round) is left as
 * it is. Returns the ids moved.
 */
export async function markAlertsDelivered(db: HubDb, pushes: ReadonlyMap<number, readonly AcknowledgedPush[]>, now: Date = new Date()): Promise<number[]> {
  if (pushes.size === 0) return [];
  return retryLockConflicts(() =>
    lockingTransaction(db, async (tx) => {
      const locked = await tx
        .select({ id: monitoringAlert.id, grade: monitoringAlert.grade, regionCode: monitoringAlert.regionCode, verifierOffice: monitoringAlert.verifierOffice })
        .from(monitoringAlert)
        .where(and(inArray(monitoringAlert.id, [...pushes.keys()]), eq(monitoringAlert.state, 'NEW')))
        .for('update');
      const still = locked.flatMap((r) => {
        const push = (pushes.get(r.id) ?? []).find((p) => p.regionCode === r.regionCode && p.subscriber !== null && isAlertVerifier(r.verifierOffice, p.subscriber));
        return push ? [{ ...r, reason: push.reason }] : [];
      });
      if (still.length === 0) return [];
      const ids = still.map((r) => r.id);
      const at = toDbInstant(now);
      await tx.update(monitoringAlert).set({ state: 'DELIVERED', updatedAt: at }).where(inArray(monitoringAlert.id, ids));
      await addEvents(
        tx,
        still.map((r) => ({ alertId: r.id, action: 'DELIVERED' as const, fromState: 'NEW' as const, toState: 'DELIVERED' as const, grade: r.grade, at, actor: HUB_ACTOR.actor, actorOffice: HUB_ACTOR.office, reason: r.reason })),
      );
      return ids;
    }),
  );
}

export async function alertsByIds(db: Db, ids: readonly number[]): Promise<AlertRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(monitoringAlert).where(inArray(monitoringAlert.id, [...ids]));
}

export async function alertsByCaseIds(db: Db, caseIds: readonly number[]): Promise<AlertRow[]> {
  if (caseIds.length === 0) return [];
  return db.select().from(monitoringAlert).where(inArray(monitoringAlert.caseId, [...caseIds]));
}

export async function eventsByAlertIds(db: Db, ids: readonly number[]): Promise<AlertEventRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(monitoringAlertEvent).where(inArray(monitoringAlertEvent.alertId, [...ids])).orderBy(asc(monitoringAlertEvent.alertId), asc(monitoringAlertEvent.seq));
}

export interface AlertFilter {
  /** Division prefixes the caller may see (its scope), intersected with the region asked for. */
  regionPrefix: string;
  grades?: readonly Grade[];
  states?: readonly AlertState[];
  triggers?: readonly string[];
  /** true: open and past verifyBy on `today`; false: the others. */
  overdue?: boolean;
  /** true: not signed for (NEW, DELIVERED) and past acknowledgeBy on `today`; false: the others. */
  acknowledgementOverdue?: boolean;
  /**
   * Only the alerts that concern this department (domain/monitoring/alerts.ts alertConcerns): it verifies them,
   * or one of their references is its own record. Undefined: all (civil affairs).
   */
  concerning?: string;
  today: IsoDate;
  after: number | null;
  limit: number;
}

/** A page of alerts by id, newest last, through the (region_code, id) index. */
export async function alertPage(db: Db, f: AlertFilter): Promise<AlertRow[]> {
  const where = alertConditions(f);
  if (f.after !== null) where.push(gt(monitoringAlert.id, f.after));
  return db.select().from(monitoringAlert).where(and(...where)).orderBy(asc(monitoringAlert.id)).limit(f.limit);
}

/** How many alerts the filter holds in all, on every page (one statement, through the same index as its pages). */
export async function countAlerts(db: Db, f: Omit<AlertFilter, 'after' | 'limit'>): Promise<number> {
  const [row] = await db.select({ n: count() }).from(monitoringAlert).where(and(...alertConditions(f)));
  return row.n;
}

/** The filter's conditions, but for the page's position. */
function alertConditions(f: Omit<AlertFilter, 'after' | 'limit'>): SQL[] {
  const where: SQL[] = [like(monitoringAlert.regionCode, `${f.regionPrefix}%`)];
  if (f.grades?.length) where.push(inArray(monitoringAlert.grade, [...f.grades]));
  if (f.states?.length) where.push(inArray(monitoringAlert.state, [...f.states]));
  if (f.triggers?.length) where.push(inArray(monitoringAlert.triggerId, [...f.triggers]));
  const open = inArray(monitoringAlert.state, [...OPEN_ALERT_STATES]);
  if (f.overdue === true) where.push(and(open, lt(monitoringAlert.verifyBy, f.today))!);
  if (f.overdue === false) where.push(or(sql`NOT (${open})`, sql`${monitoringAlert.verifyBy} >= ${f.today}`)!);
  const unsigned = inArray(monitoringAlert.state, [...UNSIGNED_ALERT_STATES]);
  if (f.acknowledgementOverdue === true) where.push(and(unsigned, lt(monitoringAlert.acknowledgeBy, f.today))!);
  if (f.acknowledgementOverdue === false) where.push(or(sql`NOT (${unsigned})`, sql`${monitoringAlert.acknowledgeBy} >= ${f.today}`)!);
  if (f.concerning !== undefined) where.push(concerning(f.concerning));
  return where;
}

/**
 * The alerts that may concern a department (alertConcerns): it verifies them, or one of their
 * references is its own record. References are stored as a JSON array of strings: each starts
 * `"<department>:`. A department's code holds no `%`; its `_` matches itself among the fixed codes
 * (and the policy checks each row).
 */
function concerning(department: string): SQL {
  return or(eq(monitoringAlert.verifierOffice, department), like(monitoringAlert.evidenceRefs, `%"${department}:%`))!;
}

/**
 * The open alerts (OPEN_ALERT_STATES) under any of these division prefixes, of these grades and
 * triggers (empty: any) and, given a department, only those that may concern it: at most `limit`,
 * by id, in one statement through the (state, region_code) index, so only open alerts are read (the
 * (region_code, id) index read every alert of the regions, closed ones too: docs/performance.md).
 * What a new subscription may be
 * pushed of what is open (resolvers/alert-delivery/subscriptions.ts); the outbox's own rule
 * (pushedTo) decides each row, this only narrows what is read.
 */
export async function openAlertsUnder(db: Db, f: { regionPrefixes: readonly string[]; grades: readonly Grade[]; triggerIds: readonly string[]; concerning?: string; limit: number }): Promise<AlertRow[]> {
  if (f.regionPrefixes.length === 0) return [];
  const where: SQL[] = [or(...f.regionPrefixes.map((p) => like(monitoringAlert.regionCode, `${p}%`)))!, inArray(monitoringAlert.state, [...OPEN_ALERT_STATES])];
  if (f.grades.length > 0) where.push(inArray(monitoringAlert.grade, [...f.grades]));
  if (f.triggerIds.length > 0) where.push(inArray(monitoringAlert.triggerId, [...f.triggerIds]));
  if (f.concerning !== undefined) where.push(concerning(f.concerning));
  return db.select().from(monitoringAlert).where(and(...where)).orderBy(asc(monitoringAlert.id)).limit(f.limit);
}

/**
 * Which of `triggerIds` alerts under a division still carry: a trigger removed from the set keeps its
 * alerts, and the inbox's filter must still find them. Through the (region_code, id) index, so a
 * typo costs a look through the caller's own alerts, not the province's.
 */
export async function triggerIdsOfAlerts(db: Db, regionPrefix: string, triggerIds: readonly string[]): Promise<Set<string>> {
  if (triggerIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ triggerId: monitoringAlert.triggerId })
    .from(monitoringAlert)
    .where(and(like(monitoringAlert.regionCode, `${regionPrefix}%`), inArray(monitoringAlert.triggerId, [...triggerIds])));
  return new Set(rows.map((r) => r.triggerId));
}

/** The moves that close an alert (it is no longer open). */
const CLOSING_ACTIONS = ['VERIFIED', 'DISMISSED'] as const;
/** The moves that take an unsigned alert (NEW or DELIVERED) out of that state: 签收, or a dismissal unsigned. */
const SIGNING_ACTIONS = ['ACKNOWLEDGED', 'DISMISSED'] as const;

/**
 * For a report as of a past instant (overdueReport(asOf)): an alert raised by then that was still
 * in the state asked about and has left it since, by one of `actions` recorded after `asOf` and none
 * at or before it. Its state now is not what it was then, so its history says it (one statement;
 * the events through their (alert_id, seq) key). An alert that moved to another township and was
 * signed for anew counts as signed for from its first 签收.
 */
function leftSince(asOf: Date, actions: readonly ('VERIFIED' | 'DISMISSED' | 'ACKNOWLEDGED')[]): SQL {
  const at = toDbInstant(asOf);
  const e = monitoringAlertEvent;
  const moves = sql.join(actions.map((a) => sql`${a}`), sql`, `);
  return sql`(${monitoringAlert.raisedAt} <= ${at} AND ${monitoringAlert.updatedAt} > ${at}
    AND EXISTS (SELECT 1 FROM ${e} WHERE ${e.alertId} = ${monitoringAlert.id} AND ${e.action} IN (${moves}) AND ${e.at} > ${at})
    AND NOT EXISTS (SELECT 1 FROM ${e} WHERE ${e.alertId} = ${monitoringAlert.id} AND ${e.action} IN (${moves}) AND ${e.at} <= ${at}))`;
}

/**
 * Alerts not signed for (NEW, DELIVERED) past their acknowledgement day under a division (the
 * supervision view), most overdue first: through the (state, verify_by) index's state prefix, as
 * unsigned alerts are a share of the open ones. With `pastAsOf` (a report as of a past instant),
 * also those unsigned then and signed for or dismissed since.
 */
export async function unacknowledgedAlerts(db: Db, regionPrefix: string | null, today: IsoDate, pastAsOf: Date | null = null): Promise<AlertRow[]> {
  const unsigned = inArray(monitoringAlert.state, [...UNSIGNED_ALERT_STATES]);
  const where: SQL[] = [pastAsOf === null ? unsigned : or(unsigned, leftSince(pastAsOf, SIGNING_ACTIONS))!, lt(monitoringAlert.acknowledgeBy, today)];
  if (regionPrefix) where.push(like(monitoringAlert.regionCode, `${regionPrefix}%`));
  return db.select().from(monitoringAlert).where(and(...where)).orderBy(asc(monitoringAlert.acknowledgeBy), asc(monitoringAlert.id));
}

/**
 * Alerts under a division whose decision is late on `today` (the supervision view): not decided
 * and past decideBy (open, or verified as NEEDS_AID with the case not yet decided), or decided
 * after decideBy on a day from `since` (a late decision stays on the report for the period asked,
 * as decisions completed short do). Most overdue first. One statement, through the (decided_on,
 * decide_by) index: the pending ones today are its NULL prefix.
 */
export async function lateDecisionAlerts(db: Db, regionPrefix: string | null, today: IsoDate, since: IsoDate): Promise<AlertRow[]> {
  // Decided after `today` (a report as of a past day): still pending then.
  const pending = and(or(isNull(monitoringAlert.decidedOn), gt(monitoringAlert.decidedOn, today)), lt(monitoringAlert.decideBy, today));
  const decidedLate = and(sql`${monitoringAlert.decidedOn} > ${monitoringAlert.decideBy}`, gte(monitoringAlert.decidedOn, since), lte(monitoringAlert.decidedOn, today));
  const where: SQL[] = [or(pending, decidedLate)!];
  if (regionPrefix) where.push(like(monitoringAlert.regionCode, `${regionPrefix}%`));
  return db.select().from(monitoringAlert).where(and(...where)).orderBy(asc(monitoringAlert.decideBy), asc(monitoringAlert.id));
}

/**
 * Records the decision of the alert a case was opened from, once: the case (or the successor
 * continuing it after a hand-over: `caseIds` are the case and those it continues) was decided or
 * rejected on `day` (China), inside the case's transaction. The first decision counts; a case decided again
 * after a redeliberation keeps it.
 */
export async function recordAlertDecision(tx: HubTx, caseIds: readonly number[], day: IsoDate): Promise<void> {
  await tx.update(monitoringAlert).set({ decidedOn: day }).where(and(inArray(monitoringAlert.caseId, [...caseIds]), isNull(monitoringAlert.decidedOn)));
}

/** Up to `limit` alerts still marked as holding 0008's default decideBy, in id order (through their index). */
export async function backfilledDecideByIds(db: Db, limit: number): Promise<number[]> {
  const rows = await db.select({ id: monitoringAlert.id }).from(monitoringAlert).where(eq(monitoringAlert.decideByBackfilled, true)).orderBy(asc(monitoringAlert.id)).limit(limit);
  return rows.map((r) => r.id);
}

/** What the decision day of a marked alert is counted from. */
export type BackfilledAlert = Pick<AlertRow, 'id' | 'triggerId' | 'grade' | 'firstClueOn'>;

/**
 * Gives the alerts of `ids` still marked (decide_by_backfilled) the decision day `decide` counts for
 * them, and clears the mark, in one transaction: the rows are locked by key first, so a raise that
 * changes an alert's grade meanwhile waits (or is waited for, and read as it committed), and of
 * several processes doing this at once each alert is counted by the first to lock it; the others
 * find it unmarked. A day counted in a year without a published holiday notice makes the alert
 * provisional. Each alert whose day this call moved gets, in the same transaction, its history event
 * (DECIDE_BY_CORRECTED by the hub at `now`, the day before and after in its reason; an unmoved day
 * corrects nothing and records nothing), and `onMoved` is given those alerts as they are after it
 * (for their pushes: an outbox row written with the day it tells of, or neither). The event is
 * written under the same lock and mark as the day, so it is recorded once per alert however many
 * processes count at once. Returns how many alerts it set.
 */
export async function settleBackfilledDecideBy(
  db: HubDb,
  ids: readonly number[],
  decide: (alert: BackfilledAlert) => { date: IsoDate; provisional: boolean; workingDays: number | null; days: number | null },
  now: Date,
  onMoved?: (tx: LockingTx, moved: AlertRow[]) => Promise<void>,
): Promise<number> {
  if (ids.length === 0) return 0;
  return retryLockConflicts(() =>
    lockingTransaction(db, async (tx) => {
      const marked = await tx
        .select()
        .from(monitoringAlert)
        .where(and(inArray(monitoringAlert.id, [...ids]), eq(monitoringAlert.decideByBackfilled, true)))
        .orderBy(asc(monitoringAlert.id))
        .for('update');
      if (marked.length === 0) return 0;
      const counted = marked.map((a) => ({ id: a.id, ...decide(a) }));
      const provisional = counted.filter((c) => c.provisional).map((c) => c.id);
      await tx
        .update(monitoringAlert)
        .set({
          decideBy: sql`CASE ${monitoringAlert.id} ${sql.join(counted.map((c) => sql`WHEN ${c.id} THEN ${c.date}`), sql` `)} END`,
          // The count kept, so a start under another holiday calendar counts the day again (NULL: calendar days).
          decideWorkingDays: sql`CASE ${monitoringAlert.id} ${sql.join(counted.map((c) => sql`WHEN ${c.id} THEN ${c.workingDays}`), sql` `)} END`,
          decideDays: sql`CASE ${monitoringAlert.id} ${sql.join(counted.map((c) => sql`WHEN ${c.id} THEN ${c.days}`), sql` `)} END`,
          provisional: provisional.length === 0 ? sql`${monitoringAlert.provisional}` : sql`${monitoringAlert.provisional} OR ${inArray(monitoringAlert.id, provisional)}`,
          decideByBackfilled: false,
        })
        .where(inArray(monitoringAlert.id, counted.map((c) => c.id)));
      const moved = marked.flatMap((a, i) => {
        const c = counted[i];
        return c.date === a.decideBy ? [] : [{ before: a.decideBy, alert: { ...a, decideBy: c.date, decideWorkingDays: c.workingDays, decideDays: c.days, provisional: a.provisional || c.provisional, decideByBackfilled: false } }];
      });
      if (moved.length === 0) return counted.length;
      const at = toDbInstant(now);
      await addEvents(
        tx,
        moved.map(({ before, alert: a }) => ({ alertId: a.id, action: 'DECIDE_BY_CORRECTED' as const, fromState: a.state, toState: a.state, grade: a.grade, at, actor: HUB_ACTOR.actor, actorOffice: HUB_ACTOR.office, reason: decideByCorrection(before, a.decideBy) })),
      );
      if (onMoved) await onMoved(tx, moved.map((m) => m.alert));
      return counted.length;
    }),
  );
}

/**
 * Whether the days an alert's dates were counted over touch one of `years` (null: every year): from
 * its first clue (or the day 签收 was counted from, if earlier) to its latest date or nominal
 * calendar-day last day, so a count crossing a new year (a first clue on 28 December, a date in
 * January) touches both. Counts over days outside every changed year give the same dates, flags and
 * days in force (working-days.ts calendarYearFingerprints).
 */
function countsTouchYears(years: readonly number[] | null): SQL | undefined {
  if (years === null) return undefined;
  if (years.length === 0) return sql`FALSE`;
  const from = sql`LEAST(first_clue_on, COALESCE(acknowledge_from, first_clue_on))`;
  const to = sql`GREATEST(acknowledge_by, verify_by, decide_by, DATE_ADD(first_clue_on, INTERVAL COALESCE(verify_days, 0) DAY), DATE_ADD(first_clue_on, INTERVAL COALESCE(decide_days, 0) DAY))`;
  // Contiguous years as one range each.
  const ranges: [number, number][] = [];
  for (const y of [...years].sort((a, b) => a - b)) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] + 1 === y) last[1] = y;
    else ranges.push([y, y]);
  }
  return or(...ranges.map(([a, b]) => sql`(${from} <= ${`${b}-12-31`} AND ${to} >= ${`${a}-01-01`})`));
}

/**
 * Up to `limit` alerts after id `after` keeping a count a recount may follow, of a period still
 * running (periodsStillRunning: 签收 while not signed for, verification while open, the decision while
 * pending), in id order: working days, which a holiday calendar moves, or calendar days, which a
 * last-day-off rule or a calendar moves; and every alert flagged provisional keeping a count, closed
 * or not, whose flag a published notice may clear (recountedDeadlines), and every alert whose flag a
 * recount cleared (provisional_cleared), which a correction may flag again once a period has ended:
 * with `clearedYears`, only those whose counts touch one of those years (countsTouchYears), the years
 * whose days the calendar changed since the last recount; null, all of them.
 * A closed period's date is history: it is read for its flag, never moved. A closed alert never
 * provisional is not read.
 */
export async function alertsWithCountsAfter(db: Db, after: number, limit: number, clearedYears: readonly number[] | null = null): Promise<AlertRow[]> {
  const anyCount = or(
    isNotNull(monitoringAlert.acknowledgeWorkingDays),
    isNotNull(monitoringAlert.verifyWorkingDays),
    isNotNull(monitoringAlert.verifyDays),
    isNotNull(monitoringAlert.decideWorkingDays),
    isNotNull(monitoringAlert.decideDays),
  );
  const counted = or(
    and(isNotNull(monitoringAlert.acknowledgeWorkingDays), inArray(monitoringAlert.state, [...UNSIGNED_ALERT_STATES])),
    and(or(isNotNull(monitoringAlert.verifyWorkingDays), isNotNull(monitoringAlert.verifyDays)), inArray(monitoringAlert.state, [...OPEN_ALERT_STATES])),
    and(or(isNotNull(monitoringAlert.decideWorkingDays), isNotNull(monitoringAlert.decideDays)), isNull(monitoringAlert.decidedOn)),
    and(eq(monitoringAlert.provisional, true), anyCount),
    and(eq(monitoringAlert.provisionalCleared, true), anyCount, countsTouchYears(clearedYears)),
  );
  return db.select().from(monitoringAlert).where(and(gt(monitoringAlert.id, after), counted)).orderBy(asc(monitoringAlert.id)).limit(limit);
}

/**
 * An alert that kept its counts (0011) but no calendar-day count where a date is in calendar days:
 * one migration 0013 backfilled, or one a process of the release before it raised since (a rolling
 * upgrade: that release keeps its working days, not its calendar days). Its count is the days from
 * the first clue to the date, as that release counted them (art. 201 alone), as 0013 gives them.
 */
const LACKS_CALENDAR_DAYS = sql`deadline_counts_kept = TRUE AND verify_days IS NULL AND decide_days IS NULL
  AND ((verify_working_days IS NULL AND DATEDIFF(verify_by, first_clue_on) >= 1) OR (decide_working_days IS NULL AND decide_by_backfilled = FALSE AND DATEDIFF(decide_by, first_clue_on) >= 1))`;

/**
 * Migration 0013's backfill again, for the alerts a process of the older release raised after it ran
 * or gave the counts it inferred (LACKS_CALENDAR_DAYS). Reads only the alerts with their counts kept
 * not yet checked (calendar_days_checked: this release sets it on every alert it raises or gives its
 * counts, the older release never), by a plain (non-locking) select through their index in id order,
 * `page` at a time; gives those lacking their days them by id under the same condition and marks every
 * one read checked, so a start locks no alert it does not change, and one with none left to check is
 * one statement reading no row. An alert lacking its days when marked (an older process changed it
 * since the read) is left unchecked for the next start. Run again, it changes nothing. Returns how
 * many alerts it read to give their counts.
 */
export async function keepOlderReleaseCalendarDays(db: Db, page: number): Promise<number> {
  const inList = (ids: number[]) => sql`id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`;
  let given = 0;
  for (let after = 0; ; ) {
    const rows = await db
      .select({ id: monitoringAlert.id, lacks: sql<number | string>`${LACKS_CALENDAR_DAYS}` })
      .from(monitoringAlert)
      .where(and(eq(monitoringAlert.calendarDaysChecked, false), eq(monitoringAlert.deadlineCountsKept, true), gt(monitoringAlert.id, after)))
      .orderBy(asc(monitoringAlert.id))
      .limit(page);
    if (rows.length === 0) return given;
    after = rows[rows.length - 1].id;
    const lacking: number[] = [];
    const complete: number[] = [];
    for (const r of rows) (Number(r.lacks) === 1 ? lacking : complete).push(r.id);
    given += lacking.length;
    if (lacking.length > 0) {
      await db.execute(
        sql`UPDATE monitoring_alert SET
              verify_days = CASE WHEN verify_working_days IS NULL AND DATEDIFF(verify_by, first_clue_on) >= 1 THEN DATEDIFF(verify_by, first_clue_on) ELSE NULL END,
              decide_days = CASE WHEN decide_working_days IS NULL AND decide_by_backfilled = FALSE AND DATEDIFF(decide_by, first_clue_on) >= 1 THEN DATEDIFF(decide_by, first_clue_on) ELSE NULL END,
              calendar_days_checked = TRUE
            WHERE ${inList(lacking)} AND ${LACKS_CALENDAR_DAYS}`,
      );
    }
    if (complete.length > 0) {
      await db.execute(sql`UPDATE monitoring_alert SET calendar_days_checked = TRUE WHERE ${inList(complete)} AND calendar_days_checked = FALSE AND deadline_counts_kept = TRUE AND (${LACKS_CALENDAR_DAYS}) IS NOT TRUE`);
    }
    if (rows.length < page) return given;
  }
}

/** Alerts raised before their counts were kept (migration 0011), after id `after`, oldest first. */
export async function alertsWithoutCountsAfter(db: Db, after: number, limit: number): Promise<AlertRow[]> {
  return db.select().from(monitoringAlert).where(and(gt(monitoringAlert.id, after), eq(monitoringAlert.deadlineCountsKept, false), isNull(monitoringAlert.acknowledgeWorkingDays), isNull(monitoringAlert.verifyWorkingDays), isNull(monitoringAlert.decideWorkingDays))).orderBy(asc(monitoringAlert.id)).limit(limit);
}

/**
 * Keeps the counts its dates show (inferredDeadlineCounts) for an alert raised before they were
 * kept, conditional on the alert as read (dates, 签收 origin, no counts), so an alert raised or moved
 * meanwhile keeps what its writer counted. The alert as written, or null.
 */
export async function keepInferredCounts(db: Db, read: AlertRow, counts: Pick<CountedDates, 'acknowledgeWorkingDays' | 'verifyWorkingDays' | 'decideWorkingDays' | 'verifyDays' | 'decideDays'>): Promise<AlertRow | null> {
  const [res] = await db.execute(
    sql`UPDATE monitoring_alert SET acknowledge_working_days = ${counts.acknowledgeWorkingDays}, verify_working_days = ${counts.verifyWorkingDays}, decide_working_days = ${counts.decideWorkingDays},
          verify_days = ${counts.verifyDays}, decide_days = ${counts.decideDays}, deadline_counts_kept = TRUE, calendar_days_checked = TRUE
        WHERE id = ${read.id} AND deadline_counts_kept = FALSE AND acknowledge_working_days IS NULL AND verify_working_days IS NULL AND decide_working_days IS NULL
          AND acknowledge_by = ${read.acknowledgeBy} AND verify_by = ${read.verifyBy} AND decide_by = ${read.decideBy} AND acknowledge_from <=> ${read.acknowledgeFrom}`,
  );
  return (res as unknown as { affectedRows: number }).affectedRows === 1 ? { ...read, ...counts, deadlineCountsKept: true, calendarDaysChecked: true } : null;
}

/**
 * Stores alert `read`'s dates and provisional flag as `recount` counts them under the calendar in
 * force, in one transaction that locks the alert and counts it again as it is then (READ COMMITTED:
 * the last commit), so the write follows what every other writer committed meanwhile, as each locks
 * the alert first (moveAlertRow): an alert dismissed, verified or signed for after `read` has the
 * dates of its ended periods kept (periodsStillRunning), its event's fromState is its state now, and
 * `onWritten` sees it decided; of several processes recounting at once the second finds nothing left
 * to move. A condition on the state read instead would skip an alert signed for meanwhile, whose
 * verification still runs, and the calendar's recount, marked done, would never reach it again.
 * `read` only spares the transaction for an alert nothing moves on. Each moved date gets its history
 * event (DEADLINE_RECOUNTED by the hub at `now`, the date's field, day before and after in its
 * reason), each date of an ended period kept although the calendar in force gives another day
 * (`keptOtherwise`) its DEADLINE_KEPT unless its latest one already names that day (keptNotYetTold: a
 * start under the same days, or a process starting beside this one, records it once; a correction
 * withdrawn records the day in force again, the kept day itself where it is in force again), the flag
 * cleared marks it provisional_cleared (read again at later starts, open or closed),
 * and `onWritten` the
 * alert before and after (for its pushes), in the same transaction. Returns the alert before and as
 * written, or null: nothing to write.
 */
export async function storeRecountedDeadlines(
  db: HubDb,
  read: AlertRow,
  recount: (alert: AlertRow) => RecountedDeadlines & { keptOtherwise: readonly KeptOtherwise[] },
  now: Date,
  onWritten?: (tx: LockingTx, before: AlertRow, alert: AlertRow) => Promise<void>,
): Promise<{ before: AlertRow; after: AlertRow } | null> {
  // Cleared: a correction may contradict its confirmed dates later (provisional_cleared), once their
  // periods have ended, whether they had ended when it was cleared or end after (dismissed later).
  const clearedNow = (a: AlertRow, counted: RecountedDeadlines) => !a.provisionalCleared && a.provisional && !counted.provisional;
  const rowUnchanged = (a: AlertRow, counted: RecountedDeadlines) => movedDeadlines(a, counted).length === 0 && counted.provisional === a.provisional;
  const keptReasons = async (q: Db, id: number) =>
    (await q.select({ reason: monitoringAlertEvent.reason }).from(monitoringAlertEvent).where(and(eq(monitoringAlertEvent.alertId, id), eq(monitoringAlertEvent.action, 'DEADLINE_KEPT'))).orderBy(asc(monitoringAlertEvent.seq))).map((e) => e.reason);
  const first = recount(read);
  if (rowUnchanged(read, first) && first.keptOtherwise.length === 0) return null;
  // Only dates the calendar in force confirms: nothing to write unless the history named another day (one read, no lock).
  if (rowUnchanged(read, first) && !keptContradicted(first.keptOtherwise) && keptNotYetTold(first.keptOtherwise, await keptReasons(db, read.id)).length === 0) return null;
  return retryLockConflicts(() => lockingTransaction(db, async (tx): Promise<{ before: AlertRow; after: AlertRow } | null> => {
    const [before] = await tx.select().from(monitoringAlert).where(eq(monitoringAlert.id, read.id)).for('update');
    if (!before) return null;
    const counted = recount(before);
    const { keptOtherwise } = counted;
    const told = keptOtherwise.length === 0 ? [] : await keptReasons(tx, before.id);
    const kept = keptNotYetTold(keptOtherwise, told);
    const unchanged = rowUnchanged(before, counted);
    if (unchanged && kept.length === 0) return null;
    const at = toDbInstant(now);
    const provisionalCleared = before.provisionalCleared || clearedNow(before, counted);
    if (!unchanged) {
      await tx.execute(
        sql`UPDATE monitoring_alert SET acknowledge_by = ${counted.acknowledgeBy}, verify_by = ${counted.verifyBy}, decide_by = ${counted.decideBy}, provisional = ${counted.provisional}, provisional_cleared = ${provisionalCleared}, updated_at = ${at} WHERE id = ${before.id}`,
      );
    }
    const dates = { acknowledgeBy: counted.acknowledgeBy, verifyBy: counted.verifyBy, decideBy: counted.decideBy, provisional: counted.provisional, provisionalCleared };
    const alert: AlertRow = unchanged ? before : { ...before, ...dates, updatedAt: at };
    const event = (action: 'DEADLINE_RECOUNTED' | 'DEADLINE_KEPT', reason: string) => ({ alertId: before.id, action, fromState: before.state, toState: before.state, grade: before.grade, at, actor: HUB_ACTOR.actor, actorOffice: HUB_ACTOR.office, reason });
    await addEvents(tx, [
      ...movedDeadlines(before, counted).map((m) => event('DEADLINE_RECOUNTED', deadlineCorrection(m.field, m.before, m.after))),
      ...kept.map((reason) => event('DEADLINE_KEPT', reason)),
    ]);
    if (onWritten) await onWritten(tx, before, alert);
    return { before, after: alert };
  }));
}

/**
 * Open alerts past their verification day under a division (the supervision view). With `pastAsOf`
 * (a report as of a past instant), also those open then and verified or dismissed since.
 */
export async function overdueAlerts(db: Db, regionPrefix: string | null, today: IsoDate, pastAsOf: Date | null = null): Promise<AlertRow[]> {
  const open = inArray(monitoringAlert.state, [...OPEN_ALERT_STATES]);
  const where: SQL[] = [pastAsOf === null ? open : or(open, leftSince(pastAsOf, CLOSING_ACTIONS))!, lt(monitoringAlert.verifyBy, today)];
  if (regionPrefix) where.push(like(monitoringAlert.regionCode, `${regionPrefix}%`));
  return db.select().from(monitoringAlert).where(and(...where)).orderBy(asc(monitoringAlert.verifyBy), asc(monitoringAlert.id));
}

// ----- watermarks ---------------------------------------------------------------------------------

export async function watermarks(db: Db, keys: readonly string[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await db.select().from(monitoringWatermark).where(inArray(monitoringWatermark.sourceTable, [...keys]));
  return new Map(rows.map((r) => [r.sourceTable, r.lastSequence]));
}

/**
 * How far a change feed was read: every row before `mark` (a growing key's key, an update time's
 * second) and, of `mark` itself, all of it (`rowKey` null) or the rows up to and including `rowKey`.
 */
export interface StoredWatermark {
  mark: number;
  /** The last row key read in second `mark`, by column name; null: the whole of `mark` was read. */
  rowKey: Record<string, string | number> | null;
}

/**
 * The change feeds' positions. `last_sequence` is the one column every hub release reads, as
 * "everything up to and including this second (key, month) was read", so it never claims more: an
 * update-time feed read partway through second S keeps it at S − 1 (update times are whole seconds
 * and every row before S was read) and the position itself in `last_row_key`, JSON {second: S,
 * key}. A hub process of a release before the row key, polling beside this one during a rolling
 * upgrade, then reads all of S again (the part already read opens nothing twice: alerts are one per
 * identity) and skips none of it. The key counts while its second is at least `last_sequence`: past
 * it as this code writes it, equal to it as the release that introduced the key wrote it (migration
 * 0002 moved those rows one second back; a process of that release still running writes that shape
 * again). A key for an earlier second (an older process read past it and moved `last_sequence`
 * alone) and NULL mean what `last_sequence` alone always meant.
 */
export async function feedWatermarks(db: Db, keys: readonly string[]): Promise<Map<string, StoredWatermark>> {
  return (await feedStates(db, keys)).marks;
}

/** The feeds' positions (feedWatermarks) and how long ago each poll was recorded, in milliseconds. */
export interface FeedStates {
  marks: Map<string, StoredWatermark>;
  /** Since `polled_at`, by the database's clock alone (TIMESTAMPDIFF against its own now). */
  polledAgoMs: Map<string, number>;
}

/** The feeds' positions and the age of their last recorded poll, in the one statement. */
export async function feedStates(db: Db, keys: readonly string[]): Promise<FeedStates> {
  if (keys.length === 0) return { marks: new Map(), polledAgoMs: new Map() };
  const rows = await db
    .select({
      sourceTable: monitoringWatermark.sourceTable,
      lastSequence: monitoringWatermark.lastSequence,
      lastRowKey: monitoringWatermark.lastRowKey,
      polledAgoUs: sql<string | number>`TIMESTAMPDIFF(MICROSECOND, ${monitoringWatermark.polledAt}, UTC_TIMESTAMP(3))`,
    })
    .from(monitoringWatermark)
    .where(inArray(monitoringWatermark.sourceTable, [...keys]));
  return {
    marks: new Map(rows.map((r) => [r.sourceTable, positionOf(r.lastSequence, r.lastRowKey)])),
    polledAgoMs: new Map(rows.map((r) => [r.sourceTable, Number(r.polledAgoUs) / 1000])),
  };
}

function positionOf(lastSequence: number, stored: string | null): StoredWatermark {
  if (stored === null) return { mark: lastSequence, rowKey: null };
  const { second, key } = JSON.parse(stored) as { second: number; key: Record<string, string | number> };
  return second >= lastSequence ? { mark: second, rowKey: key } : { mark: lastSequence, rowKey: null };
}

/**
 * Moves a watermark forward (never back), inside the poller's fenced transaction: to all of `mark`
 * (`rowKey` null), or to an update time's second `mark` read up to `rowKey`, stored as
 * `last_sequence` = mark − 1 beside the position (feedWatermarks). The row key is set before
 * `last_sequence` is, so it is compared with the second stored before this write (MySQL applies the
 * assignments in order, each seeing the ones before): a position in a second before the stored
 * `last_sequence` leaves both as they were. `polled_at` becomes the database's time, as markPolled
 * sets it for the feeds a poll did not move.
 */
export async function advanceWatermark(tx: HubTx, key: string, mark: number, rows: number, rowKey: Record<string, string | number> | null = null): Promise<void> {
  const lastSequence = rowKey === null ? mark : Math.max(0, mark - 1);
  const stored = rowKey === null ? null : JSON.stringify({ second: mark, key: rowKey });
  await tx.execute(
    sql`INSERT INTO monitoring_watermark (source_table, last_sequence, last_row_key, rows_seen, polled_at) VALUES (${key}, ${lastSequence}, ${stored}, ${rows}, UTC_TIMESTAMP(3))
        ON DUPLICATE KEY UPDATE last_row_key = IF(${mark} >= last_sequence, VALUES(last_row_key), last_row_key),
          last_sequence = GREATEST(last_sequence, VALUES(last_sequence)), rows_seen = rows_seen + VALUES(rows_seen), polled_at = VALUES(polled_at)`,
  );
}

/**
 * Records a successful poll of a department's feeds (`keys`: those advanceWatermark did not move),
 * inside the poller's fenced transaction: `polled_at` of each becomes the database's time, whether
 * or not the poll found anything, so that `pollAges` tells a poll that stalls (or a poller that
 * stopped) from a feed that is quiet. A poll that found nothing calls it only once the record is
 * older than three of the department's intervals or the lease, the shorter (resolvers/monitoring/poller.ts
 * quietRecordMs). The database's clock, not
 * the hub's: the age is read against it by every replica alike. No statement for no key.
 */
export async function markPolled(tx: HubTx, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.update(monitoringWatermark).set({ polledAt: sql`UTC_TIMESTAMP(3)` }).where(inArray(monitoringWatermark.sourceTable, [...keys]));
}

/**
 * Seconds since the last successful change-feed poll of each department, by any process: the newest
 * `polled_at` of its feeds (`<DEPARTMENT>:<table>`) against the database's clock, in one statement
 * over the watermark table (one row per polled table). The hub's own person table, polled for deaths
 * (`HUB:person@changed_at`), is `HUB`. A source never polled has no entry.
 */
export async function pollAges(db: HubDb): Promise<Map<string, number>> {
  const department = sql`SUBSTRING_INDEX(${monitoringWatermark.sourceTable}, ':', 1)`;
  const rows = await db
    .select({ department: sql<string>`${department}`, ageUs: sql<string | number | null>`TIMESTAMPDIFF(MICROSECOND, MAX(${monitoringWatermark.polledAt}), UTC_TIMESTAMP(3))` })
    .from(monitoringWatermark)
    .where(sql`${monitoringWatermark.sourceTable} NOT LIKE 'MONTHLY:%'`)
    .groupBy(department);
  return new Map(rows.map((r) => [r.department, Math.max(0, Number(r.ageUs ?? 0) / 1e6)]));
}

/** Each household's division, for the alert's region and township. One statement. */
export async function householdRegions(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: household.id, regionCode: household.regionCode }).from(household).where(inArray(household.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.regionCode]));
}
