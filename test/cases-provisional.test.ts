/**
 * The provisional flag reaches every deadline figure the API gives: a case's deadlines and their
 * overdue figures, a slip's due date and overdue figures, and the supervision report, whenever
 * they count days of a year whose holiday notice is not loaded (issue 12: "2027 is wrong").
 */
import { workingDaysBetween } from '../domain/cases/working-days';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let caseId: string;
let referral: { id: string; issuedAt: string; dueOn: string; provisional: boolean };

/** Far enough ahead that the years counted have no notice yet. */
const LATER = '2031-06-01T12:00:00+08:00';

beforeAll(async () => {
  dbs = await createTestDatabases('cases_provisional');
  await insertRegions(dbs);
  const householdId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING' });
  const opened = await hub.gql(`mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`, {
    input: { householdId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '临时救助申请' },
  });
  caseId = opened.data.caseOpen.case.id;
  const issued = await hub.gql(`mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id issuedAt dueOn provisional } userErrors { code } } }`, {
    input: { caseId, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 60 },
  });
  expect(issued.data.referralIssue.userErrors).toEqual([]);
  referral = issued.data.referralIssue.referral;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('provisional figures', () => {
  it('a slip says whether its due date counts a year without a notice', () => {
    const issuedOn = new Date(Date.parse(referral.issuedAt) + 8 * 3600_000).toISOString().slice(0, 10);
    expect(referral.provisional).toBe(workingDaysBetween(issuedOn, referral.dueOn).provisional);
  });

  it('overdue figures counted into later years are provisional: slip, case and supervision', async () => {
    const res = await hub.gql(
      `query($case: ID!, $ref: ID!, $asOf: DateTime) {
        referral(id: $ref) { deadlineStatus(asOf: $asOf) overdue(asOf: $asOf) { workingDays provisional } }
        case(id: $case) { deadlines(asOf: $asOf) { kind status provisional overdue { workingDays provisional } } }
        overdueReport(asOf: $asOf) { byOffice { referrals { referral { id } overdue { provisional } } cases { deadline { kind overdue { provisional } } } } }
      }`,
      { case: caseId, ref: referral.id, asOf: LATER },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.referral).toMatchObject({ deadlineStatus: 'OVERDUE', overdue: { provisional: true } });
    for (const d of res.data.case.deadlines) expect(d).toMatchObject({ status: 'OVERDUE', overdue: { provisional: true } });
    const listed = res.data.overdueReport.byOffice.flatMap((o: { referrals: unknown[]; cases: unknown[] }) => [...o.referrals, ...o.cases]);
    expect(listed.length).toBeGreaterThanOrEqual(3);
    for (const item of listed) expect(JSON.stringify(item)).toContain('"provisional":true');
  });

  it('the calendar says which years a notice covers', async () => {
    const res = await hub.gql(`{ workingDayCalendar { firstYear lastYear noticeYears } }`);
    expect(res.data.workingDayCalendar).toEqual({ firstYear: 2004, lastYear: expect.any(Number), noticeYears: [] });
    expect(res.data.workingDayCalendar.lastYear).toBeGreaterThanOrEqual(2026);
  });
});
