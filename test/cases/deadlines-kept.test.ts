/**
 * A case deadline met or missed stays as it was counted when it stopped running (case_deadline_kept,
 * db/cases/deadlines-kept.ts), as an answered slip keeps its due date: a holiday notice loaded later
 * does not turn an investigation opinion given late into one given on time. Case deadlines were
 * counted under the calendar in force at each read, so they did. One still running is counted under
 * the calendar in force, and is final once the notice covers it.
 *
 * 3 working days from Wednesday 2027-02-03: by the law's 春节 alone (02-05, 02-08 … 02-10 off) 02-04,
 * 02-11, 02-12; under 2027's notice (02-05 to 02-13 off) 02-04, 02-15, 02-16.
 */
import { holidayFiles, notice2027 } from '../support/notice-2027';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { caseDeadline, caseInvestigating, caseMoved } from '../support/cases';
import { insertRegions, insertWang } from '../support/scenarios';

const cn = (local: string) => `${local}+08:00`;
const clock = new TestClock(cn('2027-02-03T10:00:00'));
const holidays = holidayFiles('aidhub-deadlines-kept-');

let dbs: TestDatabases;
let hub: TestHub;
let wangId: string;

const move = (caseId: string, to: string) => caseMoved(hub.gql, caseId, to);
const investigating = (summary: string) => caseInvestigating(hub.gql, wangId, summary);
const opinion = (caseId: string) => caseDeadline(hub.gql, caseId, 'INVESTIGATION_OPINION');

beforeAll(async () => {
  holidays.use(null);
  dbs = await createTestDatabases('deadlines_kept');
  await insertRegions(dbs);
  wangId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
}, 120_000);

afterAll(async () => {
  holidays.restore();
  await hub?.close();
  await dbs?.close();
});

it('keeps a deadline met late as counted then when a notice is loaded; one still running is counted under the notice', async () => {
  const late = await investigating('春节前受理，节后形成意见');
  const running = await investigating('春节前受理，调查未完');
  // The opinion formed on Monday 02-15 (the case to deliberation), three days after 02-12.
  clock.set(cn('2027-02-15T10:00:00'));
  await move(late, 'IN_DELIBERATION');
  expect(await opinion(late)).toEqual({ kind: 'INVESTIGATION_OPINION', status: 'MET_LATE', dueOn: '2027-02-12', provisional: true });
  expect(await opinion(running)).toEqual({ kind: 'INVESTIGATION_OPINION', status: 'OVERDUE', dueOn: '2027-02-12', provisional: true });

  // The notice is published and loaded; the hub restarts.
  await hub.close();
  holidays.use('2027.json', [notice2027]);
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });

  // Met late under the calendar of its time, it stays so: still provisional, the notice giving 02-16.
  expect(await opinion(late)).toEqual({ kind: 'INVESTIGATION_OPINION', status: 'MET_LATE', dueOn: '2027-02-12', provisional: true });
  // Still running: counted under the notice, final, and not overdue on 02-15.
  expect(await opinion(running)).toEqual({ kind: 'INVESTIGATION_OPINION', status: 'PENDING', dueOn: '2027-02-16', provisional: false });
  const [[kept]] = (await dbs.hubPool.query('SELECT kind, DATE_FORMAT(due_on, "%Y-%m-%d") AS dueOn FROM case_deadline_kept WHERE case_id = ?', [late])) as unknown as [{ kind: string; dueOn: string }[]];
  expect(kept).toEqual({ kind: 'INVESTIGATION_OPINION', dueOn: '2027-02-12' });
}, 180_000);

it('keeps a deadline met under the notice as counted under it, final', async () => {
  clock.set(cn('2027-02-03T10:00:00'));
  const onTime = await investigating('春节前受理，按通知按时');
  clock.set(cn('2027-02-16T10:00:00'));
  await move(onTime, 'IN_DELIBERATION');
  expect(await opinion(onTime)).toEqual({ kind: 'INVESTIGATION_OPINION', status: 'MET', dueOn: '2027-02-16', provisional: false });
});
