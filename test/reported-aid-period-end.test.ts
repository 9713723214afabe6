/**
 * A recurring grant reported with the end it was decided for (受灾人员过渡期生活救助 granted from
 * March to next February): its periodEnd lies after today. It was refused DATE_INVALID, as if aid
 * not yet given, so an office could report such a grant only as running on with no end. Taken now,
 * within the longest term a recurring grant is approved for (five years from its start, as
 * preGrantCheck holds a period: PERIOD_TOO_LONG beyond), through aidReport and through its CSV file
 * alike, while what counts as given stays the months up to today: the household's totals, X8's
 * months after a death. A grant date or a period's start after today is still refused. A record
 * with no end runs on today and is held to the same term: one "running" since 1939 (for 2019) was
 * taken, 1,055 months in aidSummary; refused now at its periodStart, while an entry recorded before
 * the rule is still retried, corrected closed and reversed. Against a real hub and its databases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { makeIdNumber } from '../domain/id-number';
import { latestPeriodEnd } from '../domain/findings/periods';
import { recordReportedAid } from '../db/reported-aid/store';
import type { ValidReportedAid } from '../domain/reported-aid/validate';
import { reportFile } from '../tools/report/index';
import { addHousehold } from './findings-scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const VICTIM = makeIdNumber('370811', '1962-02-02', 71);
const OTHER = makeIdNumber('370811', '1964-04-04', 72);
const DECEASED = makeIdNumber('370811', '1941-01-01', 73);
const HOLDER = makeIdNumber('370811', '1966-06-06', 74);
// Born before 1939, so that a start of 1939 is no date before the birth (DATE_INVALID).
const ELDER = makeIdNumber('370811', '1930-03-03', 75);
const MONTHLY_FEN = 60_000;

const REPORT = /* GraphQL */ `
  mutation($records: [ReportedAidInput!]!, $dryRun: Boolean) {
    aidReport(input: { records: $records, dryRun: $dryRun }) {
      recorded
      alreadyRecorded
      entries { reference period { start end } }
      conflicts { index rule { id } }
      userErrors { index code field message }
    }
  }
`;

let dbs: TestDatabases;
let hub: TestHub;
let emergency: { gql: TestHub['gql'] };
let emergencyToken: string;
let victimHousehold: number;
let elderHousehold: number;
let dir: string;

async function ledgerRows(): Promise<number> {
  const [rows] = (await dbs.hub.execute(sql`select count(*) as n from reported_aid`)) as unknown as [{ n: number }[]];
  return Number(rows[0].n);
}

const transition = (reference: string, beneficiaryIdNumber: string, periodStart: string, periodEnd: string | null) => ({
  reference,
  beneficiaryIdNumber,
  programme: 'DISASTER_TRANSITION',
  periodStart,
  periodEnd,
  amountFen: MONTHLY_FEN,
});

beforeAll(async () => {
  dbs = await createTestDatabases('reported_period_end');
  await insertRegions(dbs);
  victimHousehold = await addHousehold(dbs, 'F-RPE', [{ idNumber: VICTIM, name: '子', gender: 'M', birthDate: '1962-02-02' }]);
  await addHousehold(dbs, 'F-RPE-2', [{ idNumber: OTHER, name: '丑', gender: 'F', birthDate: '1964-04-04' }]);
  await addHousehold(dbs, 'F-RPE-H', [{ idNumber: HOLDER, name: '卯', gender: 'F', birthDate: '1966-06-06' }]);
  elderHousehold = await addHousehold(dbs, 'F-RPE-E', [{ idNumber: ELDER, name: '辰', gender: 'M', birthDate: '1930-03-03' }]);
  await addHousehold(dbs, 'F-RPE-D', [{ idNumber: DECEASED, name: '寅', gender: 'M', birthDate: '1941-01-01', deathDate: '2025-11-20' }]);
  hub = await startTestHub(dbs, { today: TODAY });
  const e = await hub.createClient({ name: 'test-emergency-period', department: 'EMERGENCY_MANAGEMENT', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
  emergency = hub.as({ token: e.token, purpose: 'DUPLICATE_CHECK' });
  emergencyToken = e.token;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-period-end-'));
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a recurring record with the end it was granted for, after today', () => {
  // TODAY is 2026-03-15: granted from March 2026 to February 2027.
  const granted = transition('GD-PE-1', VICTIM, '2026-03-01', '2027-02-28');

  it('is recorded, reads ACTIVE to its end, and counts as given only the months up to today', async () => {
    const res = await emergency.gql(REPORT, { records: [granted] });
    expect(res.errors).toBeUndefined();
    expect(res.data.aidReport).toMatchObject({ recorded: 1, entries: [{ reference: 'GD-PE-1', period: { start: '2026-03-01', end: '2027-02-28' } }], userErrors: [] });
    const read = await hub.gql(
      `query($id: ID!) { household(id: $id) { aid(departments: [EMERGENCY_MANAGEMENT]) { period { start end } status amountFen }
        aidSummary { totalFen monthlyRecurringFen } ahead: aidSummary(from: "2026-03-01", to: "2027-02-28") { totalFen } } }`,
      { id: String(victimHousehold) },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data.household).toEqual({
      aid: [{ period: { start: '2026-03-01', end: '2027-02-28' }, status: 'ACTIVE', amountFen: MONTHLY_FEN }],
      // March 2026 paid; the eleven months to come are not received yet, whatever the window.
      aidSummary: { totalFen: MONTHLY_FEN, monthlyRecurringFen: MONTHLY_FEN },
      ahead: { totalFen: MONTHLY_FEN },
    });
    // Sent again, the same record: a retry.
    expect((await emergency.gql(REPORT, { records: [granted] })).data.aidReport).toMatchObject({ recorded: 0, userErrors: [] });
  });

  it('meets the same programme held over its granted months (X9), not one that ended before it began', async () => {
    // Its own holder and grant, so that it holds run alone or in any order.
    const held = await emergency.gql(REPORT, { records: [transition('GD-PE-H', HOLDER, '2026-03-01', '2027-02-28')] });
    expect(held.data.aidReport.userErrors).toEqual([]);
    const res = await emergency.gql(REPORT, {
      records: [transition('GD-PE-2', HOLDER, '2026-03-10', '2026-05-31'), transition('GD-PE-3', HOLDER, '2025-12-01', '2026-02-28')],
      dryRun: true,
    });
    expect(res.data.aidReport.userErrors).toEqual([]);
    expect(res.data.aidReport.conflicts).toEqual([{ index: 0, rule: { id: 'X9' } }]);
  });

  it('counts X8 for a dead beneficiary up to today, not up to the end granted', async () => {
    const res = await emergency.gql(REPORT, { records: [transition('GD-PE-D', DECEASED, '2025-10-01', '2026-09-30')] });
    expect(res.data.aidReport).toMatchObject({ recorded: 1, conflicts: [{ index: 0, rule: { id: 'X8' } }], userErrors: [] });
    const findings = await hub.gql(
      `query($id: String!) { person(idNumber: $id) { findings { rule { id } explanation measure { ... on AidAfterDeath { from to months excessFen } } } } }`,
      { id: DECEASED },
    );
    expect(findings.errors).toBeUndefined();
    // December 2025 to March 2026: four months paid after the death, not the ten to September; its
    // end not reached, it is still paid: no `to`, and told so, not "from December to September, 4 months".
    const [x8] = findings.data.person.findings;
    expect(x8).toMatchObject({ rule: { id: 'X8' }, measure: { from: '2025-12-01', to: null, months: 4, excessFen: 4 * MONTHLY_FEN } });
    expect(findings.data.person.findings).toHaveLength(1);
    expect(x8.explanation).toContain('自 2025-12-01 起仍发放 4 个月');
    expect(x8.explanation).toContain('至今仍在发放');
    expect(x8.explanation).not.toContain('至 2026-09-30 仍发放');
  });

  it('ends at most five years after it starts, PERIOD_TOO_LONG beyond (a year mistyped, 2099), and writes nothing of the batch', async () => {
    const before = await ledgerRows();
    const last = latestPeriodEnd('2026-03-01');
    expect(last).toBe('2031-02-28');
    const atMost = await emergency.gql(REPORT, { records: [transition('GD-PE-4', OTHER, '2026-03-01', last)], dryRun: true });
    expect(atMost.data.aidReport.userErrors).toEqual([]);
    const res = await emergency.gql(REPORT, {
      records: [
        transition('GD-PE-5', OTHER, '2026-03-01', last),
        transition('GD-PE-6', OTHER, '2026-03-01', '2031-03-01'),
        transition('GD-PE-7', OTHER, '2026-03-01', '2099-12-31'),
        // An end already past is what was paid: taken however long the period ran.
        transition('GD-PE-8', OTHER, '2019-01-01', '2025-12-31'),
      ],
    });
    expect(res.data.aidReport.userErrors.map((e: { index: number; code: string; field: string }) => [e.index, e.code, e.field])).toEqual([
      [1, 'PERIOD_TOO_LONG', 'periodEnd'],
      [2, 'PERIOD_TOO_LONG', 'periodEnd'],
    ]);
    expect(res.data.aidReport.userErrors[0].message).toContain(last);
    expect(res.data.aidReport.recorded).toBe(0);
    expect(await ledgerRows()).toBe(before);
  });

  it('keeps a start after today, and a one-off grant date after today, DATE_INVALID: aid is recorded once given', async () => {
    const res = await emergency.gql(REPORT, {
      records: [
        transition('GD-PE-9', OTHER, '2026-03-16', '2026-06-30'),
        { reference: 'DF-PE-1', beneficiaryIdNumber: OTHER, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-03-16', amountFen: 30_000 },
      ],
      dryRun: true,
    });
    expect(res.data.aidReport.userErrors.map((e: { index: number; code: string; field: string }) => [e.index, e.code, e.field])).toEqual([
      [0, 'DATE_INVALID', 'periodStart'],
      [1, 'DATE_INVALID', 'grantDate'],
    ]);
  });

  it('is taken the same from a CSV file (npm run report), and too long an end is named by its line and column', async () => {
    const header = 'reference,beneficiary_id_number,programme,period_start,period_end,amount_fen';
    const line = (reference: string, end: string) => `${reference},${OTHER},DISASTER_TRANSITION,2026-03-01,${end},${MONTHLY_FEN}`;
    const before = await ledgerRows();
    const bad = await reportFile(hub.url, emergencyToken, writeFile('far.csv', [header, line('GD-PE-F1', '2027-02-28'), line('GD-PE-F2', '2099-12-31')].join('\n')));
    expect(bad.problems.map((p) => [p.line, p.code, p.field])).toEqual([[3, 'PERIOD_TOO_LONG', 'period_end']]);
    expect(await ledgerRows()).toBe(before);
    const good = await reportFile(hub.url, emergencyToken, writeFile('granted.csv', [header, line('GD-PE-F1', '2027-02-28')].join('\n')));
    expect(good.problems).toEqual([]);
    expect(await ledgerRows()).toBe(before + 1);
  });
});

describe('a recurring record with no end, still running', () => {
  type ProblemRow = [number, string, string];
  const problems = (res: GraphQLResponse): ProblemRow[] =>
    res.data.aidReport.userErrors.map((e: { index: number; code: string; field: string }) => [e.index, e.code, e.field]);

  it('started more than five years before today is PERIOD_TOO_LONG at periodStart (1939 for 2019), and writes nothing of the batch', async () => {
    const before = await ledgerRows();
    // TODAY 2026-03-15: a grant from 2021-03-16 reaches its five years today.
    const res = await emergency.gql(REPORT, {
      records: [
        transition('GD-RUN-1', ELDER, '1939-01-01', null),
        transition('GD-RUN-2', ELDER, '2021-03-15', null),
        transition('GD-RUN-3', OTHER, '2021-03-16', null),
        // The same start with the end it was paid to: what was paid, taken.
        transition('GD-RUN-4', ELDER, '1939-01-01', '1939-12-31'),
      ],
    });
    expect(problems(res)).toEqual([
      [0, 'PERIOD_TOO_LONG', 'periodStart'],
      [1, 'PERIOD_TOO_LONG', 'periodStart'],
    ]);
    const [message] = res.data.aidReport.userErrors.map((e: { message: string }) => e.message);
    expect(message).toContain('at most 5 years');
    expect(message).toContain('2021-03-16');
    expect(message).not.toContain(ELDER);
    expect(message).not.toContain('1930');
    expect(res.data.aidReport.recorded).toBe(0);
    expect(await ledgerRows()).toBe(before);
    // The same from a CSV file, named by its line and column.
    const csv = await reportFile(hub.url, emergencyToken, writeFile('running.csv', ['reference,beneficiary_id_number,programme,period_start,amount_fen', `GD-RUN-F1,${ELDER},DISASTER_TRANSITION,1939-01-01,${MONTHLY_FEN}`].join('\n')));
    expect(csv.problems.map((p) => [p.line, p.code, p.field])).toEqual([[2, 'PERIOD_TOO_LONG', 'period_start']]);
    expect(await ledgerRows()).toBe(before);
    // Not counted: the elder's household holds no reported aid.
    const read = await hub.gql(`query($id: ID!) { household(id: $id) { aidSummary { totalFen } } }`, { id: String(elderHousehold) });
    expect(read.data.household.aidSummary.totalFen).toBe(0);
  });

  it('started in 2024 (within five years of today) is taken', async () => {
    const res = await emergency.gql(REPORT, { records: [transition('GD-RUN-5', OTHER, '2024-03-01', null)] });
    expect(res.data.aidReport).toMatchObject({ recorded: 1, entries: [{ reference: 'GD-RUN-5', period: { start: '2024-03-01', end: null } }], userErrors: [] });
  });

  it('recorded before the rule, is answered alreadyRecorded when sent again, closed by a correction with a past end, and reversed', async () => {
    // As an older hub took them (the ledger's own write): two grants "running" since 1939.
    const old1 = transition('GD-OLD-1', ELDER, '1939-01-01', null);
    const old2 = transition('GD-OLD-2', ELDER, '1939-06-01', null);
    const stored = (r: typeof old1): ValidReportedAid => ({ ...r, entryKind: 'AID', supersedesReference: null, grantDate: null, settlementRef: null, caseReference: null, needId: null });
    await dbs.hub.transaction((tx) => recordReportedAid(tx as never, [stored(old1), stored(old2)], { clientName: 'test-emergency-period', officer: null, office: 'EMERGENCY_MANAGEMENT', creditCode: null }));
    const rows = await ledgerRows();
    // A retry after a lost answer: what it was, not refused.
    expect((await emergency.gql(REPORT, { records: [old1] })).data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 1, userErrors: [] });
    expect((await emergency.gql(REPORT, { records: [old1, old2] })).data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 2, userErrors: [] });
    // Other content under its reference is checked as new, and refused.
    expect(problems(await emergency.gql(REPORT, { records: [{ ...old1, amountFen: MONTHLY_FEN + 1 }], dryRun: true }))).toEqual([[0, 'PERIOD_TOO_LONG', 'periodStart']]);
    // A correction that leaves it running is refused; one closing it with the end it stopped at is taken.
    const correction = { ...old1, reference: 'GD-OLD-1-C', entryKind: 'CORRECTION', supersedesReference: 'GD-OLD-1' };
    expect(problems(await emergency.gql(REPORT, { records: [correction] }))).toEqual([[0, 'PERIOD_TOO_LONG', 'periodStart']]);
    const closed = await emergency.gql(REPORT, { records: [{ ...correction, periodStart: '2019-01-01', periodEnd: '2025-12-31' }] });
    expect(closed.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    // A reversal takes the other back as it was recorded.
    const reversed = await emergency.gql(REPORT, { records: [{ ...old2, reference: 'GD-OLD-2-R', entryKind: 'REVERSAL', supersedesReference: 'GD-OLD-2', amountFen: 0 }] });
    expect(reversed.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    expect(await ledgerRows()).toBe(rows + 2);
    // What stands: 2019-01 to 2025-12 at the monthly amount, 84 months; the reversed one taken back, nothing since 1939.
    const read = await hub.gql(`query($id: ID!) { household(id: $id) { aid(departments: [EMERGENCY_MANAGEMENT]) { period { start end } status amountFen } aidSummary(from: "1939-01-01", to: "2026-03-15") { totalFen } } }`, { id: String(elderHousehold) });
    expect(read.errors).toBeUndefined();
    expect(read.data.household.aid).toEqual([
      { period: { start: '2019-01-01', end: '2025-12-31' }, status: 'ENDED', amountFen: MONTHLY_FEN },
      { period: { start: '1939-06-01', end: null }, status: 'CANCELLED', amountFen: 0 },
    ]);
    expect(read.data.household.aidSummary.totalFen).toBe(84 * MONTHLY_FEN);
  });
});

function writeFile(name: string, content: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
}
