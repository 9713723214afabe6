/**
 * Alerts' 签收, verification and decision days counted before a year's holiday notice was loaded are
 * counted again under it when the hub starts (resolvers/monitoring/deadline-recount.ts): an alert
 * whose first clue came on 2027-02-04 was to be signed for by the law's 春节 alone (02-11, its
 * weekend made up on 02-09 and 02-10; provisional); with the notice loaded (02-05 to 02-13 off) by 02-15, no longer provisional, and not
 * late during the holiday. Once per calendar: a start under the calendar of the last recount reads
 * no alert; hubs starting together move each date once. An alert raised before the counts were kept
 * keeps its dates. A calendar-day date whose last day is off runs to the next working day (民法典 art.
 * 203, the trigger set's lastDayOff): alerts stored before the rule are counted again on upgrade.
 */
import { alertCountsFingerprint, inferAlertDeadlineCounts, recountAlertDeadlines } from '../../resolvers/monitoring/deadline-recount';
import { writeAlerts } from '../../resolvers/monitoring/detect';
import type { AlertWrite } from '../../db/monitoring/store';
import { countStatements } from '../../db/instrument';
import { alertDeadlines } from '../../domain/monitoring/alerts';
import type { Limit } from '../../domain/monitoring/triggers';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { holidayFiles, notice2027 } from '../support/notice-2027';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { insertRegions, insertWang, WANG } from '../support/scenarios';
import { migrationStatement } from '../support/migration-statement';
import { buildHolidayCalendar, calendarCoverageFingerprint, calendarFingerprint } from '../../domain/cases/working-days';
import { statutoryDaysOff } from '../../domain/cases/statutory-holidays';
import { markRecounted } from '../../db/cases/due-recount';
import { subscribe, subscriberClient, TOWNSHIP } from '../alert-delivery/scenario';
import { drizzle } from 'drizzle-orm/mysql2';
import type mysql from 'mysql2/promise';
import { withoutDrizzleTypeCast, type HubDb } from '../../db/connect';
import * as monitoringSchema from '../../db/monitoring/schema';
import * as casesSchema from '../../db/cases/schema';
import { lockingTransaction } from '../../db/locking';
import { EXPLAIN_ROWS } from '../support/statements';

jest.setTimeout(180_000);

const clock = new TestClock('2027-02-04T10:00:00+08:00');
const FIRST_CLUE = '2027-02-04';
const holidays = holidayFiles('aidhub-alert-recount-');
/** 签收 in 1 working day, verification in 10, the decision in 12: each day moves under the notice. */
const LIMIT: Limit = { acknowledgeWorkingDays: 1, verifyWorkingDays: 10, decideWorkingDays: 12 };

let dbs: TestDatabases;
let hub: TestHub | undefined;
let receiver: AlertReceiver;
let wangId: number;

function write(identity: string, o: { keepCounts: boolean; limit?: Limit; grade?: 'YELLOW' | 'RED'; householdId?: number | null; township?: string; firstClueOn?: string }): AlertWrite {
  const limit = o.limit ?? LIMIT;
  const firstClueOn = o.firstClueOn ?? FIRST_CLUE;
  const deadlines = alertDeadlines(firstClueOn, limit);
  const township = o.township ?? TOWNSHIP;
  return {
    identity: identity.padEnd(40, '0'),
    triggerId: 'T4_JOB_LOSS',
    grade: o.grade ?? 'YELLOW',
    subjectIdNumber: WANG.head,
    householdId: o.householdId === undefined ? wangId : o.householdId,
    regionCode: township === TOWNSHIP ? WANG.regionCode : `${township}001`,
    townshipCode: township,
    verifierOffice: township,
    monitored: false,
    evidence: ['失业登记'],
    evidenceRefs: [],
    measure: 1,
    firstClueOn,
    ...deadlines,
    // An alert raised before the counts were kept (migration 0011 leaves them NULL).
    ...(o.keepCounts ? {} : { acknowledgeWorkingDays: null, verifyWorkingDays: null, decideWorkingDays: null, verifyDays: null, decideDays: null }),
    limit,
  };
}

async function writeAlert(identity: string, o: Parameters<typeof write>[1]): Promise<number> {
  const deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: clock.now };
  const [change] = await lockingTransaction(dbs.hub, (tx) => writeAlerts(deps, tx, [write(identity, o)], 'POLL'));
  return change.alert.id;
}

async function dates(id: number) {
  const [rows] = await dbs.hubPool.query(
    'SELECT DATE_FORMAT(acknowledge_by, "%Y-%m-%d") AS acknowledgeBy, DATE_FORMAT(verify_by, "%Y-%m-%d") AS verifyBy, DATE_FORMAT(decide_by, "%Y-%m-%d") AS decideBy, provisional FROM monitoring_alert WHERE id = ?',
    [id],
  );
  const r = (rows as { acknowledgeBy: string; verifyBy: string; decideBy: string; provisional: number }[])[0];
  return { ...r, provisional: Boolean(r.provisional) };
}

async function recountEvents(): Promise<{ alertId: number; reason: string }[]> {
  const [rows] = await dbs.hubPool.query("SELECT alert_id AS alertId, actor, reason FROM monitoring_alert_event WHERE action = 'DEADLINE_RECOUNTED' ORDER BY alert_id, seq");
  return (rows as { alertId: number; actor: string; reason: string }[]).map((r) => ({ alertId: Number(r.alertId), actor: r.actor, reason: r.reason }));
}

async function keptEvents(): Promise<{ alertId: number; reason: string }[]> {
  const [rows] = await dbs.hubPool.query("SELECT alert_id AS alertId, reason FROM monitoring_alert_event WHERE action = 'DEADLINE_KEPT' ORDER BY alert_id, seq");
  return (rows as { alertId: number; reason: string }[]).map((r) => ({ alertId: Number(r.alertId), reason: r.reason }));
}

async function raisedPushes(): Promise<string[]> {
  const [rows] = await dbs.hubPool.query("SELECT alert_id AS alertId FROM alert_delivery WHERE event = 'ALERT_RAISED' ORDER BY id");
  return (rows as { alertId: string }[]).map((r) => String(r.alertId));
}

beforeAll(async () => {
  holidays.use(null);
  dbs = await createTestDatabases('alert_recount');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  await subscriberClient(dbs.hub, 'guhuai-alerts', TOWNSHIP);
  receiver = await startAlertReceiver(() => 200);
  await subscribe(dbs.hub, 'guhuai-alerts', receiver.url);
}, 120_000);

afterAll(async () => {
  holidays.restore();
  await hub?.close();
  await receiver?.close();
  await dbs?.close();
});

it('counts the dates of an alert raised before the notice again under it when the hub starts, once per calendar', async () => {
  // Raised under the law's 春节 alone (02-05 to 02-08 off, and 02-09, 02-10 making up its weekend, 补假):
  // 签收 02-11, 10 working days 02-24, 12 02-26.
  const counted = await writeAlert('recount-counted', { keepCounts: true });
  const legacy = await writeAlert('recount-legacy', { keepCounts: false });
  const law = { acknowledgeBy: '2027-02-11', verifyBy: '2027-02-24', decideBy: '2027-02-26', provisional: true };
  expect(await dates(counted)).toEqual(law);
  expect(await dates(legacy)).toEqual(law);

  holidays.use('2027.json', [notice2027]);
  hub = await startTestHub(dbs, { clock: clock.now });
  // Under the notice (02-05 to 02-13 off, Saturday 02-20 worked): 02-15, 02-25, 03-01.
  expect(await dates(counted)).toEqual({ acknowledgeBy: '2027-02-15', verifyBy: '2027-02-25', decideBy: '2027-03-01', provisional: false });
  // Its limit not kept: its dates stay, and so does its flag.
  expect(await dates(legacy)).toEqual(law);
  const hubEvent = (reason: string) => ({ alertId: counted, actor: 'hub', reason });
  expect(await recountEvents()).toEqual([hubEvent('acknowledgeBy 2027-02-11 → 2027-02-15'), hubEvent('verifyBy 2027-02-24 → 2027-02-25'), hubEvent('decideBy 2027-02-26 → 2027-03-01')]);
  // Pushed again, its decision pending, to the subscription that was pushed it.
  expect(await raisedPushes()).toEqual([String(counted)]);

  // Under the same calendar: two statements (no alert lacking its calendar days, the calendar of the last recount), no alert read.
  const again = await countStatements(() => recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now()));
  expect(again.result).toEqual([]);
  expect(again.counter.total).toBe(2);

  // A corrected notice (02-19 off as well, Saturday 02-20 not worked): two processes starting together move each date once.
  holidays.use('2027-corrected.json', [{ ...notice2027, workdays: {}, holidays: { ...notice2027.holidays, '2027-02-19': '春节' } }]);
  const both = await Promise.all([recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now()), recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now())]);
  const now = { acknowledgeBy: '2027-02-15', verifyBy: '2027-03-01', decideBy: '2027-03-03', provisional: false };
  expect(both.flat()).toEqual([{ alertId: counted, before: { acknowledgeBy: '2027-02-15', verifyBy: '2027-02-25', decideBy: '2027-03-01', provisional: false }, after: now }]);
  expect(await dates(counted)).toEqual(now);
  expect((await recountEvents()).slice(3)).toEqual([hubEvent('verifyBy 2027-02-25 → 2027-03-01'), hubEvent('decideBy 2027-03-01 → 2027-03-03')]);
  expect(await raisedPushes()).toEqual([String(counted), String(counted)]);
  expect((await countStatements(() => recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now()))).counter.total).toBe(2);
});

it('counts 签收 again from the day of a move to another township, and a raised alert from the limit whose day won', async () => {
  holidays.use(null);
  clock.set('2027-02-04T10:00:00+08:00');
  // No household: the move follows the division alone.
  const moved = await writeAlert('recount-moved', { keepCounts: true, householdId: null });
  // Seen on 02-10 in another township: signed for there within 1 working day of 02-10 (the law's 02-11).
  clock.set('2027-02-10T10:00:00+08:00');
  await writeAlert('recount-moved', { keepCounts: true, householdId: null, township: '370811002' });
  expect((await dates(moved)).acknowledgeBy).toBe('2027-02-11');

  // YELLOW: verification in 15 calendar days (02-19), the decision in 12 working days (02-26).
  clock.set('2027-02-04T10:00:00+08:00');
  const yellow: Limit = { acknowledgeWorkingDays: 1, verifyDays: 15, decideWorkingDays: 12 };
  const raised = await writeAlert('recount-raised', { keepCounts: true, limit: yellow });
  // RED: verification in 5 working days (02-17 by the law), the decision in 8 calendar days (02-12): both win.
  await writeAlert('recount-raised', { keepCounts: true, limit: { acknowledgeWorkingDays: 1, verifyWorkingDays: 5, decideDays: 8 }, grade: 'RED' });
  expect(await dates(raised)).toEqual({ acknowledgeBy: '2027-02-11', verifyBy: '2027-02-17', decideBy: '2027-02-12', provisional: true });

  holidays.use('2027-again.json', [notice2027]);
  await recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now());
  // Under the notice: 1 working day from 02-10 (a day off) is 02-15.
  expect((await dates(moved)).acknowledgeBy).toBe('2027-02-15');
  // The RED limit's 5 working days (02-19); its 8 calendar days end on 02-12, now a day off: the next working day, 02-15 (民法典 art. 203); 签收 02-15.
  expect(await dates(raised)).toEqual({ acknowledgeBy: '2027-02-15', verifyBy: '2027-02-19', decideBy: '2027-02-15', provisional: false });
});

it('infers the counts of an alert raised before they were kept from its dates and the trigger set in force, and counts its dates again', async () => {
  // The legacy alert of the first test kept the law's days (its limit not known) and its provisional flag.
  const [legacy] = (await dbs.hubPool.query("SELECT id FROM monitoring_alert WHERE identity LIKE 'recount-legacy%'"))[0] as { id: number }[];
  const law = { acknowledgeBy: '2027-02-11', verifyBy: '2027-02-24', decideBy: '2027-02-26', provisional: true };
  expect(await dates(legacy.id)).toEqual(law);
  // One more raised before the counts were kept, whose days no limit of the set in force gives (verification in 5 working days).
  clock.set('2027-02-04T10:00:00+08:00');
  holidays.use(null);
  const other = await writeAlert('recount-legacy-other', { keepCounts: false, limit: { acknowledgeWorkingDays: 1, verifyWorkingDays: 5, decideWorkingDays: 12 } });
  const otherDates = await dates(other);
  // The locality's set gives T4 at YELLOW the limit the legacy alert was counted with.
  const base = activeTriggerSet();
  const set = { ...base, triggers: base.triggers.map((t) => (t.id === 'T4_JOB_LOSS' ? { ...t, limits: { ...t.limits, YELLOW: LIMIT } } : t)) };
  const pushesBefore = (await raisedPushes()).length;

  // A corrected notice (02-19 off as well, Saturday 02-20 not worked): the law's days are the package table's count of 1, 10 and 12 working days.
  holidays.use('2027-corrected-again.json', [{ ...notice2027, workdays: {}, holidays: { ...notice2027.holidays, '2027-02-19': '春节' } }]);
  const inferred = await inferAlertDeadlineCounts(dbs.hub, set, clock.now());
  expect(inferred.kept).toBe(1);
  const after = { acknowledgeBy: '2027-02-15', verifyBy: '2027-03-01', decideBy: '2027-03-03', provisional: false };
  expect(inferred.recounted).toEqual([{ alertId: legacy.id, before: law, after }]);
  expect(await dates(legacy.id)).toEqual(after);
  expect((await recountEvents()).filter((e) => e.alertId === legacy.id).map((e) => e.reason)).toEqual(['acknowledgeBy 2027-02-11 → 2027-02-15', 'verifyBy 2027-02-24 → 2027-03-01', 'decideBy 2027-02-26 → 2027-03-03']);
  // Pushed again, its decision pending.
  expect((await raisedPushes()).slice(pushesBefore)).toEqual([String(legacy.id)]);
  // The other keeps its days: not guessed at.
  expect(await dates(other)).toEqual(otherDates);
  // Once per calendar: the same start again reads no alert.
  expect(await inferAlertDeadlineCounts(dbs.hub, set, clock.now())).toEqual({ kept: 0, recounted: [] });
});

it('counts the calendar-day dates of alerts stored before the rule for a last day off again on upgrade, and back when the locality keeps the day as counted', async () => {
  holidays.use(null);
  clock.set('2026-11-16T10:00:00+08:00');
  const fifteen: Limit = { acknowledgeWorkingDays: 1, verifyDays: 15, decideDays: 15 };
  // Raised by the release before this one, which counted 15 days to the day (art. 201 alone) and kept no calendar-day count.
  const asBefore = async (name: string, firstClueOn: string, day: string) => {
    const id = await writeAlert(name, { keepCounts: true, limit: fifteen, firstClueOn });
    // Stored before migration 0014 as well: not yet checked for its calendar days.
    await dbs.hubPool.query('UPDATE monitoring_alert SET verify_by = ?, decide_by = ?, verify_days = NULL, decide_days = NULL, calendar_days_checked = FALSE WHERE id = ?', [day, day, id]);
    return id;
  };
  // 15 days to 国庆 (10-01 … 10-07 off), to Saturday 11-28, to Saturday 10-10 worked (调休), to Wednesday 11-25.
  const national = await asBefore('lastdayoff-national', '2026-09-16', '2026-10-01');
  const saturday = await asBefore('lastdayoff-saturday', '2026-11-13', '2026-11-28');
  const worked = await asBefore('lastdayoff-worked', '2026-09-25', '2026-10-10');
  const weekday = await asBefore('lastdayoff-weekday', '2026-11-10', '2026-11-25');
  // A stored first clue no calendar reaches (a row of an older release): counted, never moved, no error.
  const hostile = await asBefore('lastdayoff-hostile', '2026-11-10', '2026-11-25');
  await dbs.hubPool.query("UPDATE monitoring_alert SET first_clue_on = '9999-12-10', verify_by = '9999-12-25', decide_by = '9999-12-25' WHERE id = ?", [hostile]);
  // Closed before the upgrade, 15 days to Saturday 11-28 as well: dismissed (decided), and verified with its decision pending.
  const dismissed = await asBefore('lastdayoff-dismissed', '2026-11-13', '2026-11-28');
  await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'DISMISSED', decided_on = '2026-11-16' WHERE id = ?", [dismissed]);
  const verified = await asBefore('lastdayoff-verified', '2026-11-13', '2026-11-28');
  await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'VERIFIED' WHERE id = ?", [verified]);
  const ids = [national, saturday, worked, weekday, hostile, dismissed, verified];
  const counts = async () => {
    const [rows] = await dbs.hubPool.query('SELECT verify_days AS v, decide_days AS d FROM monitoring_alert WHERE id IN (?) ORDER BY id', [ids]);
    return (rows as { v: number | null; d: number | null }[]).map((r) => [r.v, r.d]);
  };
  expect(await counts()).toEqual(ids.map(() => [null, null]));

  // Migration 0013 gives them the count they were made with; run again, it changes nothing.
  const backfill = migrationStatement('monitoring', '0013_calendar_day_counts.sql', 'UPDATE');
  await dbs.hubPool.query(backfill);
  expect(await counts()).toEqual(ids.map(() => [15, 15]));
  expect(((await dbs.hubPool.query(backfill))[0] as { affectedRows: number }).affectedRows).toBe(0);

  const ours = (written: { alertId: number; after: { verifyBy: string; decideBy: string } }[]) =>
    written.filter((w) => ids.includes(w.alertId)).map((w) => [w.alertId, w.after.verifyBy, w.after.decideBy]);
  // The last recount before the upgrade stored the calendar's fingerprint alone (with which years a notice
  // covers: a hub that stored its days' alone counts once more at its next start, alertCountsFingerprint).
  await markRecounted(dbs.hub, 'monitoring_alert', calendarCoverageFingerprint(), clock.now());
  // A hub whose locality keeps the day as counted recounts nothing on upgrade (KEEP's fingerprint is the
  // calendar's alone): none written. Three statements: the alerts not yet checked for their calendar days
  // (these, 0013 gave them theirs), marking them checked, and the calendar.
  const kept = await countStatements(() => recountAlertDeadlines(dbs.hub, { lastDayOff: 'KEEP' }, clock.now()));
  expect(kept.result).toEqual([]);
  expect(kept.counter.total).toBe(3);
  expect((await recountEvents()).filter((e) => ids.includes(e.alertId))).toEqual([]);
  for (const [id, day] of [[national, '2026-10-01'], [saturday, '2026-11-28'], [worked, '2026-10-10'], [weekday, '2026-11-25'], [hostile, '9999-12-25']] as const) expect(await dates(id)).toMatchObject({ verifyBy: day, decideBy: day });
  const pushesBefore = (await raisedPushes()).length;

  // The default (art. 203): the next start counts them again, once: the days of periods still running.
  const upgraded = await recountAlertDeadlines(dbs.hub, { lastDayOff: 'NEXT_WORKING_DAY' }, clock.now());
  expect(ours(upgraded)).toEqual([
    [national, '2026-10-08', '2026-10-08'],
    [saturday, '2026-11-30', '2026-11-30'],
    [verified, '2026-11-28', '2026-11-30'],
  ]);
  // A closed period is a record (decisionLate, past overdue reports): the dismissed alert keeps its days and its history, the verified one its verification day.
  expect(await dates(dismissed)).toMatchObject({ verifyBy: '2026-11-28', decideBy: '2026-11-28' });
  expect((await recountEvents()).filter((e) => e.alertId === dismissed)).toEqual([]);
  expect((await recountEvents()).filter((e) => e.alertId === verified).map((e) => e.reason)).toEqual(['decideBy 2026-11-28 → 2026-11-30']);
  // Pushed again, their decisions pending and their pushed dates moved: not the dismissed one.
  // (The alerts of the tests above, counted under 2027's notice until now, are counted under the calendar in force as well.)
  expect((await raisedPushes()).slice(pushesBefore).filter((id) => ids.includes(Number(id)))).toEqual([String(national), String(saturday), String(verified)]);
  expect(await dates(worked)).toMatchObject({ verifyBy: '2026-10-10', decideBy: '2026-10-10' });
  expect(await dates(hostile)).toMatchObject({ verifyBy: '9999-12-25', decideBy: '9999-12-25' });
  expect((await recountEvents()).filter((e) => e.alertId === saturday).map((e) => e.reason)).toEqual(['verifyBy 2026-11-28 → 2026-11-30', 'decideBy 2026-11-28 → 2026-11-30']);
  expect((await countStatements(() => recountAlertDeadlines(dbs.hub, { lastDayOff: 'NEXT_WORKING_DAY' }, clock.now()))).counter.total).toBe(2);

  // A process of the release before 0013, still running beside this one (a rolling upgrade), raises one more: 15 days to Saturday 11-28, no calendar days kept.
  const olderProcess = await asBefore('lastdayoff-older-process', '2026-11-13', '2026-11-28');
  ids.push(olderProcess);
  // The next start under the same calendar and rule gives it its days and moves its day off.
  const rolled = await recountAlertDeadlines(dbs.hub, { lastDayOff: 'NEXT_WORKING_DAY' }, clock.now());
  expect(ours(rolled)).toEqual([[olderProcess, '2026-11-30', '2026-11-30']]);
  expect(await dates(olderProcess)).toMatchObject({ verifyBy: '2026-11-30', decideBy: '2026-11-30' });
  expect((await countStatements(() => recountAlertDeadlines(dbs.hub, { lastDayOff: 'NEXT_WORKING_DAY' }, clock.now()))).counter.total).toBe(2);

  // A new alert under the rule is counted so from its raise, with its counts.
  const fresh = await writeAlert('lastdayoff-fresh', { keepCounts: true, limit: fifteen, firstClueOn: '2026-11-13' });
  expect(await dates(fresh)).toMatchObject({ verifyBy: '2026-11-30', decideBy: '2026-11-30' });

  // The locality switches the rule off: counted back to the day as counted.
  const back = await recountAlertDeadlines(dbs.hub, { lastDayOff: 'KEEP' }, clock.now());
  expect(ours(back)).toEqual([
    [national, '2026-10-01', '2026-10-01'],
    [saturday, '2026-11-28', '2026-11-28'],
    [verified, '2026-11-28', '2026-11-28'],
    [olderProcess, '2026-11-28', '2026-11-28'],
  ]);
  expect((await recountEvents()).filter((e) => e.alertId === dismissed)).toEqual([]);
});

describe('alerts of a process of the release before 0013 beside this one (a rolling upgrade)', () => {
  const fifteen: Limit = { acknowledgeWorkingDays: 1, verifyDays: 15, decideDays: 15 };
  const keep = () => recountAlertDeadlines(dbs.hub, { lastDayOff: 'KEEP' }, clock.now());
  const days = async (id: number) => ((await dbs.hubPool.query('SELECT verify_days AS v, decide_days AS d FROM monitoring_alert WHERE id = ?', [id]))[0] as { v: number | null; d: number | null }[])[0];
  /** The columns the release before 0013 writes, from alert `like`'s row: none of this release's. */
  const olderRelease = async (q: Pick<typeof dbs.hubPool, 'query'>, name: string, like: number): Promise<number> => {
    const [columns] = (await dbs.hubPool.query('SHOW COLUMNS FROM monitoring_alert')) as unknown as [{ Field: string }[]];
    const copied = columns.map((c) => c.Field).filter((f) => !['id', 'identity', 'verify_days', 'decide_days', 'calendar_days_checked'].includes(f)).map((f) => `\`${f}\``).join(', ');
    const [res] = await q.query(`INSERT INTO monitoring_alert (identity, ${copied}) SELECT ?, ${copied} FROM monitoring_alert WHERE id = ?`, [name.padEnd(40, '0'), like]);
    return (res as { insertId: number }).insertId;
  };
  beforeEach(() => holidays.use(null));

  it('are given their calendar days at the next start whatever their id, and a start with none reads no alert', async () => {
    const model = await writeAlert('older-model', { keepCounts: true, limit: fifteen, firstClueOn: '2026-11-10' });
    await keep();
    // Nothing new: two statements, the alerts not yet checked (none) and the calendar.
    const quiet = await countStatements(keep);
    expect(quiet.result).toEqual([]);
    expect(quiet.counter.total).toBe(2);

    // An older process's alert committed after a later alert of this release was checked, below it, with
    // an id missing before it (a rolled-back raise) and one after it (INSERT IGNORE of a row already
    // there): gaps that would trip a start reading only ids above a watermark, should one come back.
    const rolledBack = await dbs.hubPool.getConnection();
    const committing = await dbs.hubPool.getConnection();
    try {
      await rolledBack.query('BEGIN');
      const never = await olderRelease(rolledBack, 'older-never', model);
      await rolledBack.query('ROLLBACK');
      await committing.query('BEGIN');
      const late = await olderRelease(committing, 'older-late', model);
      expect(late).toBeGreaterThan(never);
      await dbs.hubPool.query(`INSERT IGNORE INTO monitoring_alert (identity, trigger_id, grade, state, subject_id_number, region_code, township_code, verifier_office, monitored, evidence, evidence_refs, measure, detected_by, raised_at, first_clue_on, acknowledge_by, verify_by, decide_by, provisional, updated_at)
        SELECT identity, trigger_id, grade, state, subject_id_number, region_code, township_code, verifier_office, monitored, evidence, evidence_refs, measure, detected_by, raised_at, first_clue_on, acknowledge_by, verify_by, decide_by, provisional, updated_at FROM monitoring_alert WHERE id = ?`, [model]);
      const later = await writeAlert('older-later', { keepCounts: true, limit: fifteen, firstClueOn: '2026-11-10' });
      expect(later).toBeGreaterThan(late + 1);
      await keep();
      await committing.query('COMMIT');
      expect(await days(late)).toEqual({ v: null, d: null });
      await keep();
      expect(await days(late)).toEqual({ v: 15, d: 15 });
      // Whatever the gaps in the ids, a start reads no alert checked before (one made to lack its days
      // is not read again), the check one statement and the calendar's row another.
      await dbs.hubPool.query('UPDATE monitoring_alert SET verify_days = NULL, decide_days = NULL WHERE id = ?', [later]);
      const quietAgain = await countStatements(keep);
      expect(quietAgain.result).toEqual([]);
      expect(quietAgain.counter.total).toBe(2);
      expect(await days(later)).toEqual({ v: null, d: null });
    } finally {
      rolledBack.release();
      committing.release();
    }
  });

  it("are given their calendar days when the older release kept the counts it inferred for an alert checked before", async () => {
    // Raised before the counts were kept (0011): this release's starts check it, and leave it.
    const inferred = await writeAlert('older-inferred', { keepCounts: false, limit: fifteen, firstClueOn: '2026-11-10' });
    await keep();
    await writeAlert('older-inferred-after', { keepCounts: true, limit: fifteen, firstClueOn: '2026-11-10' });
    await keep();
    // The older release's keepInferredCounts (its start): working days kept, calendar days not.
    const [res] = await dbs.hubPool.query(
      'UPDATE monitoring_alert SET acknowledge_working_days = 1, verify_working_days = NULL, decide_working_days = NULL, deadline_counts_kept = TRUE WHERE id = ? AND deadline_counts_kept = FALSE AND acknowledge_working_days IS NULL AND verify_working_days IS NULL AND decide_working_days IS NULL',
      [inferred],
    );
    expect((res as { affectedRows: number }).affectedRows).toBe(1);
    expect(await days(inferred)).toEqual({ v: null, d: null });
    await keep();
    expect(await days(inferred)).toEqual({ v: 15, d: 15 });
  });

  it('are found through the index on calendar_days_checked', async () => {
    const model = await writeAlert('older-index-model', { keepCounts: true, limit: fifteen, firstClueOn: '2026-11-10' });
    for (let i = 0; i < 400; i++) await olderRelease(dbs.hubPool, `older-index-${String(i).padStart(3, '0')}x`, model);
    await keep();
    await dbs.hubPool.query('ANALYZE TABLE monitoring_alert');
    const statements: { sql: string; params: unknown[] }[] = [];
    const db = drizzle(withoutDrizzleTypeCast(dbs.hubPool), { schema: { ...monitoringSchema, ...casesSchema }, mode: 'default', logger: { logQuery: (sql, params) => statements.push({ sql, params }) } }) as unknown as HubDb;
    expect(await recountAlertDeadlines(db, { lastDayOff: 'KEEP' }, clock.now())).toEqual([]);
    const read = statements.find((st) => /from `monitoring_alert`/.test(st.sql));
    expect(read?.sql).toMatch(/calendar_days_checked/);
    const [plan] = await dbs.hubPool.query<mysql.RowDataPacket[]>(`${EXPLAIN_ROWS} ${read!.sql}`, read!.params);
    expect(plan.map((step) => ({ table: step.table, key: step.key }))).toEqual([{ table: 'monitoring_alert', key: 'monitoring_alert_calendar_days_checked' }]);
  });
});

it('counts again under a corrected notice only the dates of periods still running: a closed alert keeps the dates it was decided under', async () => {
  holidays.use(null);
  clock.set('2027-02-04T10:00:00+08:00');
  // Four alerts raised together under the law's 春节 alone: 签收 02-11, verification 02-24, decision 02-26.
  const open = await writeAlert('closed-keep-open', { keepCounts: true });
  const acknowledged = await writeAlert('closed-keep-acknowledged', { keepCounts: true });
  const verified = await writeAlert('closed-keep-verified', { keepCounts: true });
  const dismissed = await writeAlert('closed-keep-dismissed', { keepCounts: true });
  await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'ACKNOWLEDGED' WHERE id = ?", [acknowledged]);
  // Verified as needing aid: its case not yet decided, so its decision is pending.
  await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'VERIFIED' WHERE id = ?", [verified]);
  // Dismissed on 02-25: a day after its verification day as the hub counted it then, so supervision read it late.
  await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'DISMISSED', decided_on = '2027-02-25' WHERE id = ?", [dismissed]);
  const ids = [open, acknowledged, verified, dismissed];
  const law = { acknowledgeBy: '2027-02-11', verifyBy: '2027-02-24', decideBy: '2027-02-26', provisional: true };
  for (const id of ids) expect(await dates(id)).toEqual(law);
  const pushesBefore = (await raisedPushes()).length;

  // The notice is loaded (02-05 to 02-13 off): 签收 02-15, verification 02-25, decision 03-01.
  holidays.use('2027-closed.json', [notice2027]);
  const written = await recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now());
  // The dismissed one too: not a date or its flag, but the days the notice gives its kept dates, in its history (below).
  expect(written.filter((w) => ids.includes(w.alertId)).map((w) => w.alertId)).toEqual([open, acknowledged, verified, dismissed]);
  // Open: every date moves.
  expect(await dates(open)).toEqual({ acknowledgeBy: '2027-02-15', verifyBy: '2027-02-25', decideBy: '2027-03-01', provisional: false });
  // Signed for: its 签收 day is history; verification and decision still run. Its kept 签收 day was
  // counted under the law alone and the notice gives 02-15: it still reads provisional, and its history
  // names the day the notice gives (DEADLINE_KEPT).
  expect(await dates(acknowledged)).toEqual({ acknowledgeBy: '2027-02-11', verifyBy: '2027-02-25', decideBy: '2027-03-01', provisional: true });
  // Verified, its decision pending: only the decision day moves; its kept days stay provisional alike.
  expect(await dates(verified)).toEqual({ acknowledgeBy: '2027-02-11', verifyBy: '2027-02-24', decideBy: '2027-03-01', provisional: true });
  // Dismissed: decided under the calendar of its time, it keeps every date and its flag, no date moved in its history, no push.
  expect(await dates(dismissed)).toEqual(law);
  const events = await recountEvents();
  expect(events.filter((e) => e.alertId === dismissed)).toEqual([]);
  const kept = (await keptEvents()).filter((e) => ids.includes(e.alertId));
  expect(kept.map((e) => [e.alertId, e.reason.split(' ')[0]])).toEqual([
    [acknowledged, 'acknowledgeBy'],
    [verified, 'acknowledgeBy'],
    [verified, 'verifyBy'],
    [dismissed, 'acknowledgeBy'],
    [dismissed, 'verifyBy'],
    [dismissed, 'decideBy'],
  ]);
  expect(events.filter((e) => e.alertId === acknowledged).map((e) => e.reason)).toEqual(['verifyBy 2027-02-24 → 2027-02-25', 'decideBy 2027-02-26 → 2027-03-01']);
  expect(events.filter((e) => e.alertId === verified).map((e) => e.reason)).toEqual(['decideBy 2027-02-26 → 2027-03-01']);
  expect((await raisedPushes()).slice(pushesBefore).filter((id) => ids.includes(Number(id)))).toEqual([String(open), String(acknowledged), String(verified)]);
});

it('leaves the dates of an alert dismissed between the recount reading it and writing it, and does not push it again', async () => {
  holidays.use(null);
  clock.set('2027-02-04T10:00:00+08:00');
  const raced = await writeAlert('raced-dismissed', { keepCounts: true });
  const law = { acknowledgeBy: '2027-02-11', verifyBy: '2027-02-24', decideBy: '2027-02-26' };
  expect(await dates(raced)).toMatchObject(law);
  const pushesBefore = (await raisedPushes()).length;

  // The recount reads the alert open; before its write begins, the township dismisses it on 02-25
  // (a day after its verification day as then counted). The hub passed in runs the dismissal at the
  // recount's first transaction, so the order is fixed, not a race.
  holidays.use('2027-raced.json', [notice2027]);
  // The last recount ran under the law alone, as the alert was raised.
  await markRecounted(dbs.hub, 'monitoring_alert', alertCountsFingerprint(activeTriggerSet().lastDayOff, calendarCoverageFingerprint(buildHolidayCalendar())), clock.now());
  let dismissed = false;
  const interleaved = new Proxy(dbs.hub, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== 'transaction') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        if (!dismissed) {
          dismissed = true;
          await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'DISMISSED', decided_on = '2027-02-25' WHERE id = ?", [raced]);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as HubDb;
  await recountAlertDeadlines(interleaved, activeTriggerSet(), clock.now());
  expect(dismissed).toBe(true);
  // Its dismissal still reads as late: no date moved, no DEADLINE_RECOUNTED, no push.
  expect(await dates(raced)).toMatchObject(law);
  expect((await recountEvents()).filter((e) => e.alertId === raced)).toEqual([]);
  expect((await raisedPushes()).slice(pushesBefore)).not.toContain(String(raced));
});

it("reads a closed alert's provisional flag again under the published notice: cleared where its kept dates stand, kept and recorded where the notice gives other days", async () => {
  holidays.use(null);
  clock.set('2027-02-04T10:00:00+08:00');
  // Both raised under the law alone, in 2027 whose notice is not yet loaded: provisional.
  // One from 03-01, far from 春节: 03-02, 03-15, 03-17, days the notice gives alike.
  const confirmed = await writeAlert('closed-flag-confirmed', { keepCounts: true, firstClueOn: '2027-03-01' });
  // One from 02-04: the notice would give 02-15, 02-25 and 03-01 instead of 02-11, 02-24 and 02-26.
  const other = await writeAlert('closed-flag-other', { keepCounts: true });
  // Both dismissed before the notice: every period ended, decided under the calendar of its time.
  await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'DISMISSED', decided_on = '2027-02-25' WHERE id IN (?, ?)", [confirmed, other]);
  const confirmedDates = { acknowledgeBy: '2027-03-02', verifyBy: '2027-03-15', decideBy: '2027-03-17' };
  const law = { acknowledgeBy: '2027-02-11', verifyBy: '2027-02-24', decideBy: '2027-02-26' };
  expect(await dates(confirmed)).toEqual({ ...confirmedDates, provisional: true });
  expect(await dates(other)).toEqual({ ...law, provisional: true });
  const pushesBefore = (await raisedPushes()).length;

  holidays.use('2027-closed-flag.json', [notice2027]);
  // The last recount ran under the law alone, as the alerts were raised.
  await markRecounted(dbs.hub, 'monitoring_alert', alertCountsFingerprint(activeTriggerSet().lastDayOff, calendarCoverageFingerprint(buildHolidayCalendar())), clock.now());
  // Two processes starting together.
  await Promise.all([recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now()), recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now())]);
  // Its dates stand under the notice: no longer provisional, nothing in its history.
  expect(await dates(confirmed)).toEqual({ ...confirmedDates, provisional: false });
  // Its dates stay as counted (history is not moved) and still read provisional: counted under the
  // law alone, which the notice does not confirm; the day the notice gives each is in its history, once.
  expect(await dates(other)).toEqual({ ...law, provisional: true });
  const kept = (await keptEvents()).filter((e) => e.alertId === confirmed || e.alertId === other);
  expect(kept).toEqual([
    { alertId: other, reason: 'acknowledgeBy 2027-02-11 kept (2027-02-15 under the calendar in force)' },
    { alertId: other, reason: 'verifyBy 2027-02-24 kept (2027-02-25 under the calendar in force)' },
    { alertId: other, reason: 'decideBy 2027-02-26 kept (2027-03-01 under the calendar in force)' },
  ]);
  expect((await recountEvents()).filter((e) => e.alertId === confirmed || e.alertId === other)).toEqual([]);
  // As the API shows them: the alert still provisional, its kept days and the days in force in its history, by the hub.
  hub ??= await startTestHub(dbs, { clock: clock.now });
  const read = await hub.gql(`query($id: ID!) { alert(id: $id) { provisional verifyBy history { action fromState toState actor office { name } reason } } }`, { id: String(other) });
  expect(read.errors).toBeUndefined();
  expect(read.data.alert.provisional).toBe(true);
  expect(read.data.alert.verifyBy).toBe('2027-02-24');
  const history = read.data.alert.history as { action: string; fromState: string | null; toState: string; actor: string; office: unknown; reason: string | null }[];
  expect(history.filter((e) => e.action === 'DEADLINE_KEPT')).toEqual(
    kept.map((k) => ({ action: 'DEADLINE_KEPT', fromState: 'DISMISSED', toState: 'DISMISSED', actor: 'hub', office: null, reason: k.reason })),
  );
  // Neither is pushed again: both are decided.
  expect((await raisedPushes()).slice(pushesBefore).filter((id) => [confirmed, other].includes(Number(id)))).toEqual([]);

  // A corrected notice (02-19 off as well, Saturday 02-20 not worked) gives other days again: each recorded once more.
  holidays.use('2027-closed-flag-corrected.json', [{ ...notice2027, workdays: {}, holidays: { ...notice2027.holidays, '2027-02-19': '春节' } }]);
  await recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now());
  expect(await dates(other)).toEqual({ ...law, provisional: true });
  expect((await keptEvents()).filter((e) => e.alertId === other).slice(3).map((e) => e.reason)).toEqual([
    'verifyBy 2027-02-24 kept (2027-03-01 under the calendar in force)',
    'decideBy 2027-02-26 kept (2027-03-03 under the calendar in force)',
  ]);

  // The correction withdrawn, the first notice in force again: its days are in force once more, and
  // the history says so (its latest DEADLINE_KEPT of each date names the day in force, not the
  // withdrawn correction's); the 签收 day, which the correction did not change, is not told again.
  holidays.use('2027-closed-flag-restored.json', [notice2027]);
  await recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now());
  expect(await dates(other)).toEqual({ ...law, provisional: true });
  expect((await keptEvents()).filter((e) => e.alertId === other).slice(5).map((e) => e.reason)).toEqual([
    'verifyBy 2027-02-24 kept (2027-02-25 under the calendar in force)',
    'decideBy 2027-02-26 kept (2027-03-01 under the calendar in force)',
  ]);
  // A start under the same calendar, and processes starting together, tell nothing more.
  await markRecounted(dbs.hub, 'monitoring_alert', 'another calendar', clock.now());
  await Promise.all([recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now()), recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now())]);
  expect((await keptEvents()).filter((e) => e.alertId === other)).toHaveLength(7);
});

it("keeps a closed alert provisional, and tells the day in force, where a release's table now gives a year its dates were counted under by the law alone", async () => {
  // A release whose table ended with 2025 counted 2026 by the law alone: 春节 02-16 to 02-19 off, no
  // worked Saturday. An alert from Friday 2026-02-13 was to be signed for by 02-20; the table this
  // release ships (the notice: 02-15 to 02-23 off, Saturday 02-14 worked) gives 02-14. Its
  // verification (03-05) and decision (03-09) days the table gives alike.
  holidays.use(null);
  clock.set('2026-02-13T10:00:00+08:00');
  const id = await writeAlert('closed-flag-old-table', { keepCounts: true, firstClueOn: '2026-02-13' });
  const byLaw = { acknowledgeBy: '2026-02-20', verifyBy: '2026-03-05', decideBy: '2026-03-09' };
  expect(await dates(id)).toEqual({ ...byLaw, acknowledgeBy: '2026-02-14', provisional: false });
  // As the older release wrote it, then dismissed.
  await dbs.hubPool.query("UPDATE monitoring_alert SET acknowledge_by = ?, provisional = TRUE, state = 'DISMISSED', decided_on = '2026-03-02' WHERE id = ?", [byLaw.acknowledgeBy, id]);
  // The first start of this release: its table is another calendar than the older one's.
  await markRecounted(dbs.hub, 'monitoring_alert', 'the older release table', clock.now());
  await recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now());
  expect(await dates(id)).toEqual({ ...byLaw, provisional: true });
  expect((await keptEvents()).filter((e) => e.alertId === id).map((e) => e.reason)).toEqual(['acknowledgeBy 2026-02-20 kept (2026-02-14 under the calendar in force)']);
});

it("reads a closed alert's flag again after a notice cleared it: a correction giving another day flags it and tells that day, the correction withdrawn clears it and tells the kept day", async () => {
  holidays.use(null);
  clock.set('2027-02-04T10:00:00+08:00');
  // Raised from 02-04 under the law alone (02-11, 02-24, 02-26: provisional), then dismissed.
  const id = await writeAlert('closed-flag-cleared', { keepCounts: true });
  await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'DISMISSED', decided_on = '2027-02-25' WHERE id = ?", [id]);
  const law = { acknowledgeBy: '2027-02-11', verifyBy: '2027-02-24', decideBy: '2027-02-26' };
  expect(await dates(id)).toEqual({ ...law, provisional: true });
  const pushesBefore = (await raisedPushes()).length;
  const recount = async () => {
    await markRecounted(dbs.hub, 'monitoring_alert', 'another calendar', clock.now());
    await recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now());
  };
  const told = async () => (await keptEvents()).filter((e) => e.alertId === id).map((e) => e.reason);

  // A notice giving the days the law alone gives (春节 02-05 to 02-08, made up on 02-09 and 02-10): confirmed, cleared, nothing told.
  const asTheLaw = { ...notice2027, holidays: Object.fromEntries(statutoryDaysOff(2027)), workdays: {} };
  holidays.use('2027-cleared-law.json', [asTheLaw]);
  await recount();
  expect(await dates(id)).toEqual({ ...law, provisional: false });
  expect(await told()).toEqual([]);

  // Corrected: 02-05 to 02-13 off, Saturday 02-20 worked. Its kept days are not moved (history), but
  // they were counted under the law alone, which the notice in force no longer gives: provisional
  // again, and the day in force told.
  holidays.use('2027-cleared-corrected.json', [notice2027]);
  await recount();
  expect(await dates(id)).toEqual({ ...law, provisional: true });
  expect(await told()).toEqual([
    'acknowledgeBy 2027-02-11 kept (2027-02-15 under the calendar in force)',
    'verifyBy 2027-02-24 kept (2027-02-25 under the calendar in force)',
    'decideBy 2027-02-26 kept (2027-03-01 under the calendar in force)',
  ]);

  // The correction withdrawn: the kept days are in force again, cleared, and the history's latest
  // DEADLINE_KEPT of each date names the day in force (the kept one), not the withdrawn correction's.
  holidays.use('2027-cleared-withdrawn.json', [asTheLaw]);
  await recount();
  expect(await dates(id)).toEqual({ ...law, provisional: false });
  expect((await told()).slice(3)).toEqual([
    'acknowledgeBy 2027-02-11 kept (2027-02-11 under the calendar in force)',
    'verifyBy 2027-02-24 kept (2027-02-24 under the calendar in force)',
    'decideBy 2027-02-26 kept (2027-02-26 under the calendar in force)',
  ]);
  // Again under the same days: nothing more. And, decided, it is never pushed again.
  await recount();
  expect(await told()).toHaveLength(6);
  expect((await raisedPushes()).slice(pushesBefore).filter((a) => Number(a) === id)).toEqual([]);
});

it('reads again an alert whose flag a notice cleared while it was open, once it is closed: a correction giving another day flags it', async () => {
  holidays.use(null);
  clock.set('2027-02-04T10:00:00+08:00');
  // Raised from 02-04 under the law alone (02-11, 02-24, 02-26: provisional), still open.
  const id = await writeAlert('open-flag-cleared', { keepCounts: true });
  const law = { acknowledgeBy: '2027-02-11', verifyBy: '2027-02-24', decideBy: '2027-02-26' };
  expect(await dates(id)).toEqual({ ...law, provisional: true });
  const recount = async (calendar: string) => {
    await markRecounted(dbs.hub, 'monitoring_alert', calendar, clock.now());
    await recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now());
  };
  // A notice giving the days the law alone gives, while every period still runs: its dates confirmed, cleared.
  holidays.use('2027-open-cleared-law.json', [{ ...notice2027, holidays: Object.fromEntries(statutoryDaysOff(2027)), workdays: {} }]);
  await recount('another calendar (open)');
  expect(await dates(id)).toEqual({ ...law, provisional: false });
  // Dismissed after it: every period has ended, its dates kept as the law alone counted them.
  await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'DISMISSED', decided_on = '2027-02-25' WHERE id = ?", [id]);

  // Corrected: a correction contradicts its kept days as it does a closed alert's whose flag a notice cleared.
  holidays.use('2027-open-cleared-corrected.json', [notice2027]);
  await recount('another calendar (corrected)');
  expect(await dates(id)).toEqual({ ...law, provisional: true });
  expect((await keptEvents()).filter((e) => e.alertId === id).map((e) => e.reason)).toEqual([
    'acknowledgeBy 2027-02-11 kept (2027-02-15 under the calendar in force)',
    'verifyBy 2027-02-24 kept (2027-02-25 under the calendar in force)',
    'decideBy 2027-02-26 kept (2027-03-01 under the calendar in force)',
  ]);
});

it("reads a cleared alert again only where its counts touch a year whose days changed: one of another year is not read, one counted across the new year is", async () => {
  // Notices for 2027 and 2028 giving the days the law alone gives.
  const asTheLaw = (year: number) => ({ year, basis: `${year} 示例`, holidays: Object.fromEntries(statutoryDaysOff(year)) as Record<string, string>, workdays: {} });
  holidays.use('bound-law.json', [asTheLaw(2027), asTheLaw(2028)]);
  // Both counted under them, their flags cleared by a notice (set here), then dismissed: one of
  // February 2027 only, one from 2027-12-28 whose verification and decision days fall in 2028.
  clock.set('2027-02-04T10:00:00+08:00');
  const inside = await writeAlert('bound-2027', { keepCounts: true });
  clock.set('2027-12-28T10:00:00+08:00');
  const crossing = await writeAlert('bound-crossing', { keepCounts: true, firstClueOn: '2027-12-28' });
  await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'DISMISSED', decided_on = '2028-01-20', provisional = FALSE, provisional_cleared = TRUE WHERE id IN (?, ?)", [inside, crossing]);
  const crossingDates = await dates(crossing);
  expect(crossingDates.verifyBy.startsWith('2028-')).toBe(true);
  // A recount under them stores the years it counted under.
  await markRecounted(dbs.hub, 'monitoring_alert', 'before the 2028 correction', clock.now());
  await recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now());
  expect(await dates(crossing)).toEqual(crossingDates);

  // 2028's notice corrected: 01-04 off as well (元旦). Only 2028's days changed.
  const corrected2028 = asTheLaw(2028);
  corrected2028.holidays['2028-01-04'] = '元旦';
  holidays.use('bound-corrected.json', [asTheLaw(2027), corrected2028]);
  const statements: { sql: string; params: unknown[] }[] = [];
  const db = drizzle(withoutDrizzleTypeCast(dbs.hubPool), { schema: { ...monitoringSchema, ...casesSchema }, mode: 'default', logger: { logQuery: (sql, params) => statements.push({ sql, params }) } }) as unknown as HubDb;
  await recountAlertDeadlines(db, activeTriggerSet(), clock.now());
  // The alerts whose DEADLINE_KEPT events were read: the crossing one, not the one of 2027 alone.
  const eventsRead = statements.filter((st) => /from `monitoring_alert_event`/.test(st.sql) && /DEADLINE_KEPT/.test(JSON.stringify(st.params))).map((st) => Number(st.params[0]));
  expect(eventsRead).toContain(crossing);
  expect(eventsRead).not.toContain(inside);
  // The crossing one's kept days were counted over 01-04, which the notice now gives off: flagged, the days in force told.
  expect(await dates(crossing)).toEqual({ ...crossingDates, provisional: true });
  expect((await keptEvents()).filter((e) => e.alertId === crossing).length).toBeGreaterThan(0);
  expect(await dates(inside)).toMatchObject({ provisional: false });
});

it('clears the flag of an alert counted under the law alone when a notice giving the same days is loaded and the hub starts again', async () => {
  // A hub running before 2027's notice: an alert from 02-04 counted under the law alone (02-11, 02-24, 02-26), provisional.
  holidays.use(null);
  clock.set('2027-02-04T10:00:00+08:00');
  const id = await writeAlert('coverage-as-the-law', { keepCounts: true });
  const law = { acknowledgeBy: '2027-02-11', verifyBy: '2027-02-24', decideBy: '2027-02-26' };
  expect(await dates(id)).toEqual({ ...law, provisional: true });
  // It starts under the law alone, storing that calendar as its last recount's.
  await (await startTestHub(dbs, { clock: clock.now })).close();
  expect(await dates(id)).toEqual({ ...law, provisional: true });

  // The notice is published and loaded: it gives exactly the days the law alone gives (春节 02-05 to
  // 02-08, made up on 02-09 and 02-10; no other 调休), so every day off and worked weekend is alike and
  // only which years a notice covers changed. The next start confirms the alert's dates: no longer provisional.
  holidays.use('2027-coverage-as-the-law.json', [{ ...notice2027, holidays: Object.fromEntries(statutoryDaysOff(2027)), workdays: {} }]);
  await (await startTestHub(dbs, { clock: clock.now })).close();
  expect(await dates(id)).toEqual({ ...law, provisional: false });
  expect((await recountEvents()).filter((e) => e.alertId === id)).toEqual([]);
  expect((await keptEvents()).filter((e) => e.alertId === id)).toEqual([]);
  // Another start under the same notice reads no alert: the calendar and its coverage are those of the last recount.
  expect((await countStatements(() => recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now()))).counter.total).toBe(2);
  // A hub whose last recount stored the fingerprint of the days alone (the release before coverage was
  // in it) counts every alert again once under the same calendar: nothing written, told or pushed.
  const events = [(await recountEvents()).length, (await keptEvents()).length, (await raisedPushes()).length];
  await markRecounted(dbs.hub, 'monitoring_alert', alertCountsFingerprint(activeTriggerSet().lastDayOff, calendarFingerprint()), clock.now());
  expect(await recountAlertDeadlines(dbs.hub, activeTriggerSet(), clock.now())).toEqual([]);
  expect([(await recountEvents()).length, (await keptEvents()).length, (await raisedPushes()).length]).toEqual(events);
});
