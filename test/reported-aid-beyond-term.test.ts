/**
 * Ledger entries recorded before aidReport refused a recurring period beyond the longest term a grant
 * is approved for (PERIOD_TOO_LONG, session 47) stayed as they were: a 受灾人员过渡期生活救助 "running
 * on" since 1939 counted 1,047 months in the household's totals, its duplicate checks and the scan,
 * and nobody was told. Such an entry is now listed (reportedAidBeyondTerm) for its reporter, civil
 * affairs and supervision within their scope, marked where it is shown (AidRecord.periodBeyondTerm,
 * AidSummary.recordsBeyondTerm, ReportedAidEntry.periodBeyondTerm) and counted only up to its term's
 * last day, until a correction or a reversal takes it off the list. The list and the mark are decided
 * by the one rule (entryBeyondTerm over periodTooLong), shown at the edges of the term. The entries
 * are planted in the ledger's table as an older hub wrote them. Against a real hub and its databases.
 */
import { makeIdNumber, maskIdNumber } from '../domain/id-number';
import { addDays } from '../domain/dates';
import { earliestRunningStart, latestPeriodEnd } from '../domain/findings/periods';
import { entryBeyondTerm } from '../domain/reported-aid/beyond-term';
import { recordReportedAid } from '../db/reported-aid/store';
import type { ValidReportedAid } from '../domain/reported-aid/validate';
import { addHousehold } from './findings-scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const REPORTER = 'test-emergency-beyond';
const ELDER = makeIdNumber('370811', '1930-03-03', 81);
const EDGES = makeIdNumber('370811', '1962-02-02', 83);
const IN_TERM = makeIdNumber('370811', '1964-04-04', 85);
// No household: the person's region is the ID number's county (邹城市), outside 任城区.
const ZOUCHENG = makeIdNumber('370883', '1935-05-05', 87);
const MONTHLY_FEN = 60_000;

const entry = (reference: string, beneficiaryIdNumber: string, periodStart: string, periodEnd: string | null): ValidReportedAid => ({
  reference,
  beneficiaryIdNumber,
  programme: 'DISASTER_TRANSITION',
  periodStart,
  periodEnd,
  amountFen: MONTHLY_FEN,
  entryKind: 'AID',
  supersedesReference: null,
  grantDate: null,
  settlementRef: null,
  caseReference: null,
  needId: null,
});

// The term's edges as the rule draws them today (2026-03-15): an open period may start on
// earliestRunningStart, not a day before; one from 29 February may end on latestPeriodEnd, not a day after.
const FIRST_RUNNING = earliestRunningStart(TODAY);
const LEAP_START = '2024-02-29';
const PLANTED = [
  entry('BT-1939', ELDER, '1939-01-01', null),
  entry('BT-EDGE-IN', EDGES, FIRST_RUNNING, null),
  entry('BT-EDGE-OUT', EDGES, addDays(FIRST_RUNNING, -1), null),
  entry('BT-END-OK', EDGES, LEAP_START, latestPeriodEnd(LEAP_START)),
  entry('BT-END', EDGES, LEAP_START, addDays(latestPeriodEnd(LEAP_START), 1)),
  // An end already past is what was paid, however long it ran: never beyond the term.
  entry('BT-PAST', EDGES, '2010-01-01', '2025-12-31'),
  entry('BT-OK', IN_TERM, '2024-03-01', null),
  entry('BT-ZC', ZOUCHENG, '1940-01-01', null),
];
const BEYOND = PLANTED.filter((e) => entryBeyondTerm(e, TODAY) !== null).map((e) => e.reference);

const LIST = /* GraphQL */ `
  query($regionCode: String, $first: Int, $after: String) {
    reportedAidBeyondTerm(regionCode: $regionCode, first: $first, after: $after) {
      edges { node {
        reportedBy { office { code } clientName reference } entryKind programme { code } period { start end } amountFen
        periodBeyondTerm { field earliestStart latestEnd countedTo } monthsToToday amountToTodayFen beneficiary region { code }
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const REPORT = /* GraphQL */ `
  mutation($records: [ReportedAidInput!]!) { aidReport(input: { records: $records }) { recorded userErrors { index code field } } }
`;
const HOUSEHOLD = /* GraphQL */ `
  query($id: ID!) { household(id: $id) {
    aid(departments: [REPORTED]) { reportedBy { reference } period { start end } status periodBeyondTerm { field earliestStart latestEnd countedTo } }
    aidSummary { totalFen monthlyRecurringFen recordsBeyondTerm }
    since1939: aidSummary(from: "1939-01-01") { totalFen recordsBeyondTerm }
  } }
`;

let dbs: TestDatabases;
let hub: TestHub;
let elderHousehold: number;
let edgesHousehold: number;
let inTermHousehold: number;
let emergency: ReturnType<TestHub['as']>;
let otherEmergency: ReturnType<TestHub['as']>;
let renchengCivil: ReturnType<TestHub['as']>;
let zouchengCivil: ReturnType<TestHub['as']>;
let supervisor: ReturnType<TestHub['as']>;
let education: ReturnType<TestHub['as']>;

const references = (res: { data?: any; errors?: unknown }) => {
  expect(res.errors).toBeUndefined();
  return res.data.reportedAidBeyondTerm.edges.map((e: any) => e.node.reportedBy.reference);
};

beforeAll(async () => {
  dbs = await createTestDatabases('reported_beyond_term');
  await insertRegions(dbs);
  elderHousehold = await addHousehold(dbs, 'F-RBT-E', [{ idNumber: ELDER, name: '辰', gender: 'M', birthDate: '1930-03-03' }]);
  edgesHousehold = await addHousehold(dbs, 'F-RBT-D', [{ idNumber: EDGES, name: '子', gender: 'M', birthDate: '1962-02-02' }]);
  inTermHousehold = await addHousehold(dbs, 'F-RBT-I', [{ idNumber: IN_TERM, name: '丑', gender: 'F', birthDate: '1964-04-04' }]);
  // As an older hub took them: the ledger's own write, before the rule.
  await dbs.hub.transaction((tx) => recordReportedAid(tx as never, PLANTED, { clientName: REPORTER, officer: null, office: 'EMERGENCY_MANAGEMENT', creditCode: null }));
  hub = await startTestHub(dbs, { today: TODAY });
  const client = async (name: string, department: any, regionScope: string, roles: any[], purpose: string) =>
    hub.as({ token: (await hub.createClient({ name, department, regionScope, roles })).token, purpose });
  emergency = await client(REPORTER, 'EMERGENCY_MANAGEMENT', '370800', ['DEPARTMENT_WRITER'], 'DUPLICATE_CHECK');
  otherEmergency = await client('test-emergency-beyond-2', 'EMERGENCY_MANAGEMENT', '370800', ['DEPARTMENT_WRITER'], 'DUPLICATE_CHECK');
  renchengCivil = await client('test-civil-370811-beyond', 'CIVIL_AFFAIRS', '370811', ['READER'], 'MONITORING');
  zouchengCivil = await client('test-civil-370883-beyond', 'CIVIL_AFFAIRS', '370883', ['READER'], 'MONITORING');
  supervisor = await client('test-supervisor-beyond', 'CIVIL_AFFAIRS', '370800', ['SUPERVISOR'], 'SUPERVISION');
  education = await client('test-education-beyond', 'EDUCATION', '370800', ['READER'], 'MONITORING');
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('entries beyond the term, planted as an older hub recorded them', () => {
  it('are the ones the rule refuses today: at the edges of the term, an open start and an end after today', () => {
    expect(BEYOND).toEqual(['BT-1939', 'BT-EDGE-OUT', 'BT-END', 'BT-ZC']);
  });

  it('are listed to their reporter, with what they counted to today, the beneficiary masked', async () => {
    const res = await emergency.gql(LIST);
    expect(references(res)).toEqual(BEYOND);
    const [old] = res.data.reportedAidBeyondTerm.edges.map((e: any) => e.node);
    // January 1939 to March 2026, one payment a month: what the household's totals counted.
    const months = (2026 - 1939) * 12 + 3;
    expect(old).toEqual({
      reportedBy: { office: { code: 'EMERGENCY_MANAGEMENT' }, clientName: REPORTER, reference: 'BT-1939' },
      entryKind: 'AID',
      programme: { code: 'DISASTER_TRANSITION' },
      period: { start: '1939-01-01', end: null },
      amountFen: MONTHLY_FEN,
      periodBeyondTerm: { field: 'PERIOD_START', earliestStart: FIRST_RUNNING, latestEnd: null, countedTo: '1943-12-31' },
      monthsToToday: months,
      amountToTodayFen: months * MONTHLY_FEN,
      beneficiary: maskIdNumber(ELDER),
      region: { code: expect.stringMatching(/^370811/) },
    });
    const end = res.data.reportedAidBeyondTerm.edges[2].node;
    expect(end.periodBeyondTerm).toEqual({ field: 'PERIOD_END', earliestStart: null, latestEnd: latestPeriodEnd(LEAP_START), countedTo: latestPeriodEnd(LEAP_START) });
    expect(JSON.stringify(res.data)).not.toContain(ELDER);
    // Another client of the same office holds none of them.
    expect(references(await otherEmergency.gql(LIST))).toEqual([]);
  });

  it('is paged in ledger order', async () => {
    const first = await emergency.gql(LIST, { first: 2 });
    expect(references(first)).toEqual(BEYOND.slice(0, 2));
    expect(first.data.reportedAidBeyondTerm.pageInfo.hasNextPage).toBe(true);
    const next = await emergency.gql(LIST, { first: 2, after: first.data.reportedAidBeyondTerm.pageInfo.endCursor });
    expect(references(next)).toEqual(BEYOND.slice(2));
    expect(next.data.reportedAidBeyondTerm.pageInfo.hasNextPage).toBe(false);
  });

  it('is listed to civil affairs and supervision within their scope, audited with the purpose; out of scope is refused; other offices are refused', async () => {
    expect(references(await renchengCivil.gql(LIST))).toEqual(['BT-1939', 'BT-EDGE-OUT', 'BT-END']);
    expect(references(await zouchengCivil.gql(LIST))).toEqual(['BT-ZC']);
    expect(references(await supervisor.gql(LIST))).toEqual(BEYOND);
    expect(references(await supervisor.gql(LIST, { regionCode: '370883' }))).toEqual(['BT-ZC']);
    const outside = await zouchengCivil.gql(LIST, { regionCode: '370811' });
    expect(outside.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([['FORBIDDEN', 'OUT_OF_SCOPE']]);
    const other = await education.gql(LIST);
    expect(other.errors?.map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([['FORBIDDEN', 'NOT_LEDGER_REVIEWER']]);
    const [rows] = (await dbs.hubPool.query(`SELECT client_name, purpose, outcome FROM access_log WHERE subject_kind = 'PERSON' AND subject_label = ? AND client_name = ?`, [maskIdNumber(ZOUCHENG), 'test-supervisor-beyond'])) as unknown as [any[]];
    expect(rows).toEqual(expect.arrayContaining([{ client_name: 'test-supervisor-beyond', purpose: 'SUPERVISION', outcome: 'OK' }]));
  });

  it('are marked where the household reads them and counted up to the term only, in as many statements as aid within the term', async () => {
    const elder = await hub.gql(HOUSEHOLD, { id: String(elderHousehold) });
    expect(elder.errors).toBeUndefined();
    expect(elder.data.household).toEqual({
      aid: [{ reportedBy: { reference: 'BT-1939' }, period: { start: '1939-01-01', end: null }, status: 'ACTIVE', periodBeyondTerm: { field: 'PERIOD_START', earliestStart: FIRST_RUNNING, latestEnd: null, countedTo: '1943-12-31' } }],
      // Nothing in the last twelve months, and nothing paid now; since 1939, the five years of the term.
      aidSummary: { totalFen: 0, monthlyRecurringFen: 0, recordsBeyondTerm: 1 },
      since1939: { totalFen: 60 * MONTHLY_FEN, recordsBeyondTerm: 1 },
    });
    // The mark and the list are one rule: every entry of the edges' household is marked exactly when listed.
    const edges = await hub.gql(HOUSEHOLD, { id: String(edgesHousehold) });
    const marked = edges.data.household.aid.filter((a: any) => a.periodBeyondTerm !== null).map((a: any) => a.reportedBy.reference).sort();
    expect(marked).toEqual(BEYOND.filter((r) => PLANTED.find((p) => p.reference === r)!.beneficiaryIdNumber === EDGES).sort());
    expect(edges.data.household.aid).toHaveLength(5);
    // The mark costs no statement: the same household query of aid within the term sends as many.
    const inTerm = await hub.gql(HOUSEHOLD, { id: String(inTermHousehold) });
    expect(inTerm.data.household.aidSummary.recordsBeyondTerm).toBe(0);
    expect(inTerm.data.household.aid[0].periodBeyondTerm).toBeNull();
    expect(elder.extensions?.sqlStatements?.bySource).toEqual(inTerm.extensions?.sqlStatements?.bySource);
    // Its reporter's history marks the standing entry too.
    const history = await emergency.gql(`{ reportedAidHistory(reference: "BT-EDGE-OUT") { reference periodBeyondTerm { field countedTo } } }`);
    expect(history.data.reportedAidHistory).toEqual([{ reference: 'BT-EDGE-OUT', periodBeyondTerm: { field: 'PERIOD_START', countedTo: latestPeriodEnd(addDays(FIRST_RUNNING, -1)) } }]);
  });

  it('leave the list and lose the mark once corrected with a past end or reversed', async () => {
    const corrected = await emergency.gql(REPORT, {
      records: [{ reference: 'BT-1939-C', entryKind: 'CORRECTION', supersedesReference: 'BT-1939', beneficiaryIdNumber: ELDER, programme: 'DISASTER_TRANSITION', periodStart: '2019-01-01', periodEnd: '2025-12-31', amountFen: MONTHLY_FEN }],
    });
    expect(corrected.data.aidReport).toEqual({ recorded: 1, userErrors: [] });
    const reversed = await emergency.gql(REPORT, {
      records: [{ reference: 'BT-ZC-R', entryKind: 'REVERSAL', supersedesReference: 'BT-ZC', beneficiaryIdNumber: ZOUCHENG, programme: 'DISASTER_TRANSITION', periodStart: '1940-01-01', amountFen: 0 }],
    });
    expect(reversed.data.aidReport).toEqual({ recorded: 1, userErrors: [] });
    expect(references(await emergency.gql(LIST))).toEqual(['BT-EDGE-OUT', 'BT-END']);
    expect(references(await supervisor.gql(LIST))).toEqual(['BT-EDGE-OUT', 'BT-END']);
    const elder = await hub.gql(HOUSEHOLD, { id: String(elderHousehold) });
    expect(elder.data.household.aid).toEqual([{ reportedBy: { reference: 'BT-1939-C' }, period: { start: '2019-01-01', end: '2025-12-31' }, status: 'ENDED', periodBeyondTerm: null }]);
    expect(elder.data.household.aidSummary.recordsBeyondTerm).toBe(0);
    // The history's superseded entry is history, not marked.
    const history = await emergency.gql(`{ reportedAidHistory(reference: "BT-1939") { reference periodBeyondTerm { field } } }`);
    expect(history.data.reportedAidHistory).toEqual([{ reference: 'BT-1939', periodBeyondTerm: null }, { reference: 'BT-1939-C', periodBeyondTerm: null }]);
  });
});
