/**
 * Case deadlines an earlier release stopped (met, or ended with the case) before case_deadline_kept
 * (cases migration 0021) had no row and were counted at every read under the calendar in force: a
 * holiday notice loaded later turned an investigation opinion formed late into one formed on time.
 * The data upgrade `deadlines-kept:aid_case` (jobs migration 0008, db/setup/upgrades.ts DEADLINES_KEPT)
 * keeps each as counted under the calendar in force at the upgrade, sealed, once, in batches taken in
 * turns by processes starting together and resumed after a stop.
 *
 * Planted as the earlier release stored it: the case moved on through the API, then its kept row
 * deleted (that release wrote none). The row's seal stays, so audit:verify reads it DELETED until the
 * upgrade keeps and seals it again. 3 working days from Wednesday 2027-02-03: by the law's 春节 alone
 * due 02-12; under 2027's notice (02-05 to 02-13 off) due 02-16.
 */
import fs from 'node:fs';
import path from 'node:path';
import { holidayFiles, notice2027 } from '../support/notice-2027';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { caseDeadline, caseInvestigating, caseMoved } from '../support/cases';
import { insertRegions, insertWang } from '../support/scenarios';
import { verifyCaseSeals } from '../../db/cases/seals';
import { provisionHub } from '../../db/setup/provision';
import { DEADLINES_KEPT, runDataUpgrades } from '../../db/setup/upgrades';

const cn = (local: string) => `${local}+08:00`;
const clock = new TestClock(cn('2027-02-03T10:00:00'));
const holidays = holidayFiles('aidhub-deadlines-kept-upgrade-');
const LATE = { kind: 'INVESTIGATION_OPINION', status: 'MET_LATE', dueOn: '2027-02-12', provisional: true };

let dbs: TestDatabases;
let hub: TestHub;
/** Two cases whose opinion an earlier release saw formed late (the upgrade keeps them), and one planted after the upgrade ran (nothing keeps it). */
let first: string;
let second: string;
let unkept: string;

const move = (caseId: string, to: string) => caseMoved(hub.gql, caseId, to);
const opinion = (caseId: string) => caseDeadline(hub.gql, caseId, 'INVESTIGATION_OPINION');

/** The kept rows of these cases, as stored. */
async function kept(...caseIds: string[]): Promise<{ caseId: number; kind: string; dueOn: string; keptAt: string }[]> {
  const [rows] = await dbs.hubPool.query('SELECT case_id AS caseId, kind, DATE_FORMAT(due_on, "%Y-%m-%d") AS dueOn, CAST(kept_at AS CHAR) AS keptAt FROM case_deadline_kept WHERE case_id IN (?) ORDER BY case_id, kind', [caseIds.map(Number)]);
  return rows as { caseId: number; kind: string; dueOn: string; keptAt: string }[];
}

/** As the earlier release left them: no kept row. */
async function asEarlierRelease(...caseIds: string[]): Promise<void> {
  await dbs.hubPool.query('DELETE FROM case_deadline_kept WHERE case_id IN (?)', [caseIds.map(Number)]);
}

/** The upgrade as jobs migration 0008 leaves it on a database of the earlier release: not done. */
async function upgradeNotDone(): Promise<void> {
  await dbs.hubPool.query('UPDATE data_upgrade SET finished_at = NULL, resume_after = 0, rows_changed = 0 WHERE name = ?', [DEADLINES_KEPT]);
}

const upgradeState = async () => ((await dbs.hubPool.query('SELECT resume_after AS resumeAfter, rows_changed AS rowsChanged, finished_at IS NOT NULL AS done FROM data_upgrade WHERE name = ?', [DEADLINES_KEPT])) as unknown as [object[]])[0][0];

beforeAll(async () => {
  holidays.use(null);
  dbs = await createTestDatabases('deadlines_kept_upgrade');
  await insertRegions(dbs);
  const wangId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  first = await caseInvestigating(hub.gql, wangId, '春节前受理，节后形成意见');
  second = await caseInvestigating(hub.gql, wangId, '春节前受理，节后形成意见（二）');
  unkept = await caseInvestigating(hub.gql, wangId, '春节前受理，节后形成意见（升级后）');
  // Monday 02-15: each opinion formed (the case to deliberation), three days after 02-12, the calendar the law's alone.
  clock.set(cn('2027-02-15T10:00:00'));
  for (const c of [first, second, unkept]) await move(c, 'IN_DELIBERATION');
  for (const c of [first, second, unkept]) expect(await opinion(c)).toEqual(LATE);
}, 180_000);

afterAll(async () => {
  holidays.restore();
  await hub?.close();
  await dbs?.close();
});

it('keeps each once when two processes start at once', async () => {
  await asEarlierRelease(first, second);
  await upgradeNotDone();
  // One as `npm start` runs it, the other a batch of one case at a time.
  const [a, b] = await Promise.all([provisionHub(dbs.hubUrl), runDataUpgrades(dbs.hub, { batch: 1 })]);
  const ran = [...a, ...b].filter((r) => r.upgrade === DEADLINES_KEPT);
  expect(ran.every((r) => r.table === 'aid_case')).toBe(true);
  expect(ran.reduce((n, r) => n + r.rowsChanged, 0)).toBe(2);
  expect((await kept(first, second)).map(({ keptAt: _, ...k }) => k)).toEqual([
    { caseId: Number(first), kind: 'INVESTIGATION_OPINION', dueOn: '2027-02-12' },
    { caseId: Number(second), kind: 'INVESTIGATION_OPINION', dueOn: '2027-02-12' },
  ]);
  expect(await upgradeState()).toMatchObject({ rowsChanged: 2, done: 1 });
}, 120_000);

it('a start stopped after a batch resumes after it, keeping nothing twice', async () => {
  await asEarlierRelease(first, second);
  await upgradeNotDone();
  // Stopped as `npm start` is during start-up: before the batch after the first (one case a batch).
  let batches = 0;
  const stopAfterOne = { throwIfAborted: () => { if (++batches > 1) throw new Error('stopped'); } } as unknown as AbortSignal;
  await expect(runDataUpgrades(dbs.hub, { batch: 1, signal: stopAfterOne })).rejects.toThrow('stopped');
  const once = await kept(first, second);
  expect(once.map((k) => k.caseId)).toEqual([Number(first)]);
  expect(await upgradeState()).toEqual({ resumeAfter: Number(first), rowsChanged: 1, done: 0 });

  expect(await runDataUpgrades(dbs.hub, { batch: 1 })).toEqual([{ upgrade: DEADLINES_KEPT, table: 'aid_case', rowsChanged: 1 }]);
  const resumed = await kept(first, second);
  expect(resumed[0]).toEqual(once[0]);
  expect(resumed.map((k) => [k.caseId, k.dueOn])).toEqual([[Number(first), '2027-02-12'], [Number(second), '2027-02-12']]);
  expect(await upgradeState()).toMatchObject({ rowsChanged: 2, done: 1 });
}, 120_000);

it('run again, its migration too, changes nothing', async () => {
  const before = await kept(first, second, unkept);
  const state = await upgradeState();
  const migration = fs.readFileSync(path.join(__dirname, '..', '..', 'db', 'jobs', 'migrations', '0008_deadlines_kept.sql'), 'utf8');
  for (const statement of migration.split('--> statement-breakpoint')) await dbs.hubPool.query(statement);
  expect(await provisionHub(dbs.hubUrl)).toEqual([]);
  expect(await runDataUpgrades(dbs.hub, { batch: 1 })).toEqual([]);
  expect(await upgradeState()).toEqual(state);
  // Run over again from the start (its row reset by hand): every deadline is kept already.
  await upgradeNotDone();
  expect(await runDataUpgrades(dbs.hub)).toEqual([]);
  expect(await kept(first, second, unkept)).toEqual(before);
}, 120_000);

it('a notice loaded after the upgrade leaves the deadlines it kept as they were; one it did not keep moves', async () => {
  // Stopped before the table and never upgraded (planted after the upgrade ran): what every such case did without it.
  await asEarlierRelease(unkept);
  await hub.close();
  holidays.use('2027.json', [notice2027]);
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });

  expect(await opinion(first)).toEqual(LATE);
  expect(await opinion(second)).toEqual(LATE);
  // Counted under the notice at every read: 02-16, and the opinion formed late reads on time.
  expect(await opinion(unkept)).toEqual({ kind: 'INVESTIGATION_OPINION', status: 'MET', dueOn: '2027-02-16', provisional: false });

  // Every row the upgrade wrote is sealed as written; only the row planted away after it reads deleted.
  const verdict = await verifyCaseSeals(dbs.hub);
  expect(verdict.ok ? [] : verdict.findings.map((f) => [f.problem, f.table, f.rowKey])).toEqual([['DELETED', 'case_deadline_kept', `${unkept}/INVESTIGATION_OPINION`]]);
}, 180_000);
