/**
 * Aid reported directly (schema/reported-aid.graphql), end to end over HTTP against real
 * databases: a batch sent twice records once, a bad batch writes nothing and names each bad
 * record, and charity money for a hospital stay is household aid, in its summary and in X7.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { reportFile } from '../tools/report/index';
import { recordReportedAid, registerCharity } from '../db/reported-aid/store';
import { validateReport, type ReportedAidInput, type ValidReportedAid } from '../domain/reported-aid/validate';
import { until } from './support/until';
import { makeIdNumber, maskIdNumber } from '../domain/id-number';
import { makeCreditCode } from '../domain/credit-code';
import { healthScenario } from '../federation/health/scenario';
import { createTestDatabases, lockWaits as lockWaitsOf, type TestDatabases } from './support/databases';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';
import { addHousehold, insertPneumoniaStay } from './findings-scenario';
import { freePort } from './support/redis';

const PATIENT = makeIdNumber('370811', '1958-03-03', 41);
const PUPIL = makeIdNumber('370811', '2012-05-05', 42);
const SETTLEMENT = 'SETL-RA-1';
const CREDIT_CODE = makeCreditCode('53370800MJD12345X');
const DECEASED = makeIdNumber('370811', '1940-07-07', 43);

const REPORT = /* GraphQL */ `
  mutation($records: [ReportedAidInput!]!) {
    aidReport(input: { records: $records }) {
      recorded alreadyRecorded
      entries { reference entryKind amountFen superseded }
      conflicts { index rule { id } severity }
      userErrors { index code field }
    }
  }
`;

let dbs: TestDatabases;
let hub: TestHub;
let householdId: number;
let charity: { gql: TestHub['gql'] };
let emergency: { gql: TestHub['gql'] };
let emergencyToken: string;

async function ledgerRows(): Promise<number> {
  const [rows] = (await dbs.hub.execute(sql`select count(*) as n from reported_aid`)) as unknown as [{ n: number }[]];
  return Number(rows[0].n);
}

beforeAll(async () => {
  dbs = await createTestDatabases('reported_aid');
  await insertRegions(dbs);
  householdId = await addHousehold(dbs, 'F-RA', [
    { idNumber: PATIENT, name: '庚', gender: 'M', birthDate: '1958-03-03' },
    { idNumber: PUPIL, name: '辛', gender: 'F', birthDate: '2012-05-05' },
  ]);
  // Burden of the stay before aid: 3,000 out of pocket + 2,000 medical aid = 5,000 yuan.
  await insertPneumoniaStay(dbs, SETTLEMENT, PATIENT);
  await addHousehold(dbs, 'F-RA-D', [{ idNumber: DECEASED, name: '壬', gender: 'M', birthDate: '1940-07-07', deathDate: '2025-11-20' }]);
  hub = await startTestHub(dbs, { today: TODAY, client: { department: 'HEALTH', roles: ['READER', 'DEPARTMENT_WRITER'], regionScope: '370800' } });
  const c = await hub.createClient({ name: 'test-charity', department: 'CHARITY', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] });
  await registerCharity(dbs.hub as never, c.name, CREDIT_CODE, '济宁市慈善总会');
  charity = hub.as({ token: c.token, purpose: 'DUPLICATE_CHECK' });
  const e = await hub.createClient({ name: 'test-emergency', department: 'EMERGENCY_MANAGEMENT', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
  emergency = hub.as({ token: e.token, purpose: 'DUPLICATE_CHECK' });
  emergencyToken = e.token;
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('aidReport', () => {
  const winter = [
    { reference: 'DF-2026-001', beneficiaryIdNumber: PATIENT, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-20', amountFen: 80_000 },
    { reference: 'DF-2026-002', beneficiaryIdNumber: PUPIL, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-20', amountFen: 50_000 },
  ];

  it('records a batch sent twice once', async () => {
    const first = await emergency.gql(REPORT, { records: winter });
    expect(first.errors).toBeUndefined();
    expect(first.data.aidReport).toMatchObject({ recorded: 2, alreadyRecorded: 0, userErrors: [] });
    const rows = await ledgerRows();
    const again = await emergency.gql(REPORT, { records: winter });
    expect(again.data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 2, userErrors: [] });
    expect(await ledgerRows()).toBe(rows);
  });

  it('writes an audit row per beneficiary of a report, naming the reporter', async () => {
    const [before] = (await dbs.hub.execute(sql`select coalesce(max(seq), 0) as s from access_log`)) as unknown as [{ s: number }[]];
    await emergency.gql(REPORT, { records: winter });
    const [rows] = (await dbs.hub.execute(sql`select client_name, department, subject_kind, subject_label from access_log where seq > ${before[0].s} order by subject_label`)) as unknown as [Record<string, string>[]];
    const people = rows.filter((r) => r.subject_kind === 'PERSON');
    expect(people.map((r) => r.subject_label).sort()).toEqual([maskIdNumber(PATIENT), maskIdNumber(PUPIL)].sort());
    expect(new Set(people.map((r) => `${r.client_name}/${r.department}`))).toEqual(new Set(['test-emergency/EMERGENCY_MANAGEMENT']));
  });

  it('refuses a different record under a used reference', async () => {
    const rows = await ledgerRows();
    const res = await emergency.gql(REPORT, { records: [{ ...winter[0], amountFen: 90_000 }] });
    expect(res.data.aidReport.userErrors).toEqual([{ index: 0, code: 'REFERENCE_CONFLICT', field: 'reference' }]);
    expect(await ledgerRows()).toBe(rows);
  });

  it('writes nothing of a bad batch and names each bad record', async () => {
    const rows = await ledgerRows();
    const res = await emergency.gql(REPORT, {
      records: [
        { reference: 'DF-2026-010', beneficiaryIdNumber: PATIENT, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-21', amountFen: 10_000 },
        { reference: 'DF-2026-011', beneficiaryIdNumber: '370811195803030410', programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-21', amountFen: 10_000 },
        { reference: 'DF-2026-012', beneficiaryIdNumber: PUPIL, programme: 'CHARITY_MEDICAL', grantDate: '2026-01-21', amountFen: 10_000 },
        { reference: 'DF-2026-013', beneficiaryIdNumber: PUPIL, programme: 'WINTER_SPRING_RELIEF', amountFen: 10_000 },
      ],
    });
    const errors = res.data.aidReport.userErrors.map((e: { index: number; code: string }) => [e.index, e.code]);
    expect(errors).toEqual([
      [1, 'ID_NUMBER_INVALID'],
      [2, 'PROGRAMME_NOT_REPORTER'],
      [3, 'DATE_REQUIRED'],
    ]);
    expect(res.data.aidReport.recorded).toBe(0);
    expect(await ledgerRows()).toBe(rows);
  });

  it('answers a date of the other kind of aid DATE_REQUIRED at the date the programme takes (its clients read it; preGrantCheck names the date given, DATE_NOT_TAKEN)', async () => {
    const rows = await ledgerRows();
    const res = await emergency.gql(`mutation($records: [ReportedAidInput!]!) { aidReport(input: { records: $records }) { recorded userErrors { index code field } } }`, {
      records: [
        { reference: 'DF-2026-020', beneficiaryIdNumber: PATIENT, programme: 'DISASTER_TRANSITION', periodStart: '2026-01-01', grantDate: '2026-01-21', amountFen: 10_000 },
        { reference: 'DF-2026-021', beneficiaryIdNumber: PATIENT, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-21', periodStart: '2026-01-01', amountFen: 10_000 },
      ],
    });
    expect(res.data.aidReport.userErrors).toEqual([
      { index: 0, code: 'DATE_REQUIRED', field: 'periodStart' },
      { index: 1, code: 'DATE_REQUIRED', field: 'grantDate' },
    ]);
    expect(await ledgerRows()).toBe(rows);
  });

  it('says the most an amount may be when one is over it, not that it must be 0 or more', async () => {
    const rows = await ledgerRows();
    const over = await emergency.gql(`mutation($records: [ReportedAidInput!]!) { aidReport(input: { records: $records }) { recorded userErrors { index code field message } } }`, {
      records: [{ reference: 'DF-2026-090', beneficiaryIdNumber: PATIENT, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-21', amountFen: 2_147_483_648 }],
    });
    expect(over.data.aidReport.recorded).toBe(0);
    const [problem, ...more] = over.data.aidReport.userErrors;
    expect(more).toEqual([]);
    expect(problem).toMatchObject({ index: 0, code: 'AMOUNT_INVALID', field: 'amountFen' });
    // The bound is the reason, so the message names it (the code is shared with a negative amount).
    expect(problem.message).toContain('2147483647');
    expect(await ledgerRows()).toBe(rows);
  });

  it('refuses a settlement number in digits of another script or style, which names no stay (NFKC read 𝟏 as 1)', async () => {
    const rows = await ledgerRows();
    for (const settlementRef of ['SETL-RA-𝟏', 'SETL-RA-①', 'SETL-RA-١']) {
      const res = await charity.gql(REPORT, { records: [{ reference: 'CS-MED-STYLED', beneficiaryIdNumber: PATIENT, programme: 'CHARITY_MEDICAL', grantDate: '2026-01-25', amountFen: 400_000, settlementRef }] });
      expect(res.data.aidReport.userErrors).toMatchObject([{ index: 0, code: 'SETTLEMENT_REF_INVALID', field: 'settlementRef' }]);
      expect(res.data.aidReport.recorded).toBe(0);
    }
    expect(await ledgerRows()).toBe(rows);
  });

  it('makes charity money for a hospital stay household aid, in the summary and in X7', async () => {
    const report = await charity.gql(REPORT, {
      records: [{ reference: 'CS-MED-1', beneficiaryIdNumber: PATIENT, programme: 'CHARITY_MEDICAL', grantDate: '2026-01-25', amountFen: 400_000, settlementRef: SETTLEMENT }],
    });
    expect(report.data.aidReport.userErrors).toEqual([]);
    // 2,000 medical aid + 4,000 charity on a burden of 5,000: the reply names X7.
    expect(report.data.aidReport.conflicts).toEqual([{ index: 0, rule: { id: 'X7' }, severity: 'CONFLICT' }]);

    const res = await hub.gql(
      `query($id: ID!) { household(id: $id) {
        aid { department { code } programme { code } amountFen reportedBy { office { code } clientName creditCode reference } }
        aidSummary(from: "2026-01-01", to: "2026-01-31") { totalFen byDepartment { department { code } totalFen } }
        sources { department { code } available }
        findings { rule { id } records { programme { code } } }
      } }`,
      { id: String(householdId) },
    );
    expect(res.errors).toBeUndefined();
    const h = res.data.household;
    expect(h.aid).toContainEqual({ department: { code: 'CHARITY' }, programme: { code: 'CHARITY_MEDICAL' }, amountFen: 400_000, reportedBy: { office: { code: 'CHARITY' }, clientName: 'test-charity', creditCode: CREDIT_CODE, reference: 'CS-MED-1' } });
    expect(h.aid.filter((a: { reportedBy: unknown }) => a.reportedBy).length).toBe(3);
    expect(h.aidSummary.byDepartment).toContainEqual({ department: { code: 'CHARITY' }, totalFen: 400_000 });
    expect(h.aidSummary.byDepartment).toContainEqual({ department: { code: 'EMERGENCY_MANAGEMENT' }, totalFen: 130_000 });
    expect(h.sources).toContainEqual({ department: { code: 'REPORTED' }, available: true });
    const x7 = h.findings.filter((f: { rule: { id: string } }) => f.rule.id === 'X7');
    expect(x7).toHaveLength(1);
    expect(x7[0].records.map((r: { programme: { code: string } }) => r.programme.code).sort()).toEqual(['CHARITY_MEDICAL', 'MEDICAL_AID']);
  });

  it('supersedes by corrections and reversals, never deletes, and keeps the history readable', async () => {
    const correction = await emergency.gql(REPORT, { records: [{ ...winter[1], reference: 'DF-2026-002-C1', entryKind: 'CORRECTION', supersedesReference: 'DF-2026-002', amountFen: 60_000 }] });
    expect(correction.data.aidReport.userErrors).toEqual([]);
    // The corrected entry cannot be corrected again: only the latest one can.
    const stale = await emergency.gql(REPORT, { records: [{ ...winter[1], reference: 'DF-2026-002-C2', entryKind: 'CORRECTION', supersedesReference: 'DF-2026-002', amountFen: 70_000 }] });
    expect(stale.data.aidReport.userErrors.map((e: { code: string }) => e.code)).toEqual(['SUPERSEDES_ALREADY_SUPERSEDED']);
    const reversal = await emergency.gql(REPORT, { records: [{ ...winter[1], reference: 'DF-2026-002-R', entryKind: 'REVERSAL', supersedesReference: 'DF-2026-002-C1', amountFen: 0 }] });
    expect(reversal.data.aidReport.userErrors).toEqual([]);
    const history = await emergency.gql(`{ reportedAidHistory(reference: "DF-2026-002-C1") { reference entryKind amountFen superseded } }`);
    expect(history.data.reportedAidHistory).toEqual([
      { reference: 'DF-2026-002', entryKind: 'AID', amountFen: 50_000, superseded: true },
      { reference: 'DF-2026-002-C1', entryKind: 'CORRECTION', amountFen: 60_000, superseded: true },
      { reference: 'DF-2026-002-R', entryKind: 'REVERSAL', amountFen: 0, superseded: false },
    ]);
    const aid = await hub.gql(`query($id: String!) { person(idNumber: $id) { aid { programme { code } amountFen status reportedBy { reference } } } }`, { id: PUPIL });
    expect(aid.data.person.aid).toEqual([{ programme: { code: 'WINTER_SPRING_RELIEF' }, amountFen: 0, status: 'CANCELLED', reportedBy: { reference: 'DF-2026-002-R' } }]);
  });

  it("refuses a reversal naming another person or programme than the entry it reverses, in the ledger or the batch", async () => {
    const aid = { reference: 'REV-1', beneficiaryIdNumber: PATIENT, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-02-12', amountFen: 15_000 };
    const reversal = { ...aid, reference: 'REV-1-R', entryKind: 'REVERSAL', supersedesReference: 'REV-1', amountFen: 0 };
    const rows = await ledgerRows();
    const inBatch = await emergency.gql(REPORT, { records: [aid, { ...reversal, beneficiaryIdNumber: PUPIL }] });
    expect(inBatch.data.aidReport.userErrors).toEqual([{ index: 1, code: 'REVERSAL_MISMATCH', field: 'beneficiaryIdNumber' }]);
    expect(await ledgerRows()).toBe(rows);
    expect((await emergency.gql(REPORT, { records: [aid] })).data.aidReport.userErrors).toEqual([]);
    const otherPerson = await emergency.gql(REPORT, { records: [{ ...reversal, beneficiaryIdNumber: PUPIL }] });
    expect(otherPerson.data.aidReport.userErrors).toEqual([{ index: 0, code: 'REVERSAL_MISMATCH', field: 'beneficiaryIdNumber' }]);
    const otherProgramme = await emergency.gql(REPORT, { records: [{ ...reversal, programme: 'DISASTER_TRANSITION', grantDate: null, periodStart: '2026-02-12' }] });
    expect(otherProgramme.data.aidReport.userErrors).toEqual([{ index: 0, code: 'REVERSAL_MISMATCH', field: 'programme' }]);
    // Dated otherwise, the household read the aid CANCELLED on a day it was never given.
    const otherDate = await emergency.gql(REPORT, { records: [{ ...reversal, grantDate: '2025-12-03' }] });
    expect(otherDate.data.aidReport.userErrors).toEqual([{ index: 0, code: 'REVERSAL_MISMATCH', field: 'grantDate' }]);
    expect(await ledgerRows()).toBe(rows + 1);
    // Named as recorded, it cancels the aid.
    expect((await emergency.gql(REPORT, { records: [reversal] })).data.aidReport.userErrors).toEqual([]);
    const history = await emergency.gql(`{ reportedAidHistory(reference: "REV-1") { reference superseded } }`);
    expect(history.data.reportedAidHistory).toEqual([{ reference: 'REV-1', superseded: true }, { reference: 'REV-1-R', superseded: false }]);
  });

  it('names X8 for 受灾人员过渡期生活救助 reported as running past the month of its beneficiary\'s death', async () => {
    const transition = { beneficiaryIdNumber: DECEASED, programme: 'DISASTER_TRANSITION', amountFen: 60_000 };
    // Stopped with the month of death: no finding (paid for the month of death is not counted).
    const nearMiss = await emergency.gql(REPORT, { records: [{ ...transition, reference: 'GD-1', periodStart: '2025-09-01', periodEnd: '2025-11-30' }] });
    expect(nearMiss.data.aidReport).toMatchObject({ recorded: 1, conflicts: [], userErrors: [] });
    // Corrected to run on past it (begun while the beneficiary lived, so taken): X8 names it.
    const after = await emergency.gql(REPORT, { records: [{ ...transition, reference: 'GD-2', entryKind: 'CORRECTION', supersedesReference: 'GD-1', periodStart: '2025-09-01', periodEnd: '2026-02-28' }] });
    expect(after.data.aidReport).toMatchObject({ recorded: 1, conflicts: [{ index: 0, rule: { id: 'X8' }, severity: 'CONFLICT' }], userErrors: [] });
  });

  it('gives each reporter the count and sum it had accepted in a period', async () => {
    const res = await emergency.gql(`{ reportedAidReconciliation(from: "2000-01-01", to: "2099-12-31") { entryKind count amountFen } }`);
    expect(res.data.reportedAidReconciliation).toEqual([
      { entryKind: 'AID', count: 4, amountFen: 205_000 },
      // GD-2 corrects GD-1 (X8 above).
      { entryKind: 'CORRECTION', count: 2, amountFen: 120_000 },
      { entryKind: 'REVERSAL', count: 2, amountFen: 0 },
    ]);
    const before = await emergency.gql(`{ reportedAidReconciliation(from: "2001-01-01", to: "2001-01-31") { count } }`);
    expect(before.data.reportedAidReconciliation.map((t: { count: number }) => t.count)).toEqual([0, 0, 0]);
  });

  it('refuses a federated department: it records aid in its own system', async () => {
    const res = await hub.gql(REPORT, { records: [winter[0]] });
    expect(res.data.aidReport.userErrors.map((e: { code: string }) => e.code)).toEqual(['REPORTER_NOT_ALLOWED']);
  });

  it('refuses a reversal of a reversal, which would cancel nothing; a correction of the reversal makes the aid stand again', async () => {
    const aid = { reference: 'RR-1', beneficiaryIdNumber: PATIENT, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-02-14', amountFen: 25_000 };
    const reversal = { ...aid, reference: 'RR-1-R', entryKind: 'REVERSAL', supersedesReference: 'RR-1', amountFen: 0 };
    const undo = { ...reversal, reference: 'RR-1-RR', supersedesReference: 'RR-1-R' };
    const rows = await ledgerRows();
    // In one batch, and against the ledger: refused, nothing written.
    const inBatch = await emergency.gql(REPORT, { records: [aid, reversal, undo] });
    expect(inBatch.data.aidReport.userErrors).toEqual([{ index: 2, code: 'REVERSAL_OF_REVERSAL', field: 'entryKind' }]);
    expect(await ledgerRows()).toBe(rows);
    expect((await emergency.gql(REPORT, { records: [aid, reversal] })).data.aidReport.userErrors).toEqual([]);
    const again = await emergency.gql(REPORT, { records: [undo] });
    expect(again.data.aidReport).toMatchObject({ recorded: 0, userErrors: [{ index: 0, code: 'REVERSAL_OF_REVERSAL', field: 'entryKind' }] });
    expect(await ledgerRows()).toBe(rows + 2);
    // What the office meant: the aid stands again, with its amount.
    const restore = await emergency.gql(REPORT, { records: [{ ...aid, reference: 'RR-1-C', entryKind: 'CORRECTION', supersedesReference: 'RR-1-R' }] });
    expect(restore.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    const history = await emergency.gql(`{ reportedAidHistory(reference: "RR-1") { reference entryKind amountFen superseded } }`);
    expect(history.data.reportedAidHistory).toEqual([
      { reference: 'RR-1', entryKind: 'AID', amountFen: 25_000, superseded: true },
      { reference: 'RR-1-R', entryKind: 'REVERSAL', amountFen: 0, superseded: true },
      { reference: 'RR-1-C', entryKind: 'CORRECTION', amountFen: 25_000, superseded: false },
    ]);
  });

  it('refuses money recorded for a service (法律援助 is given, not paid), as a record and as a correction', async () => {
    const j = await hub.createClient({ name: 'test-justice', department: 'JUSTICE', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
    const justice = hub.as({ token: j.token, purpose: 'DUPLICATE_CHECK' });
    const legal = { reference: 'FY-1', beneficiaryIdNumber: PATIENT, programme: 'LEGAL_AID', grantDate: '2026-02-15', amountFen: 0 };
    const rows = await ledgerRows();
    const paid = await justice.gql(REPORT, { records: [{ ...legal, amountFen: 5_000 }] });
    expect(paid.data.aidReport).toMatchObject({ recorded: 0, userErrors: [{ index: 0, code: 'AMOUNT_INVALID', field: 'amountFen' }] });
    expect(await ledgerRows()).toBe(rows);
    expect((await justice.gql(REPORT, { records: [legal] })).data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    const corrected = await justice.gql(REPORT, { records: [{ ...legal, reference: 'FY-1-C', entryKind: 'CORRECTION', supersedesReference: 'FY-1', amountFen: 5_000 }] });
    expect(corrected.data.aidReport.userErrors).toEqual([{ index: 0, code: 'AMOUNT_INVALID', field: 'amountFen' }]);
    expect(await ledgerRows()).toBe(rows + 1);
  });

  it('answers a retry of a record recorded before a check refusing it was added (money for a service, aid after a death learnt since) alreadyRecorded, records and corrections alike; other content under its reference is checked as new', async () => {
    const j = await hub.createClient({ name: 'test-justice-before', department: 'JUSTICE', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
    const justice = hub.as({ token: j.token, purpose: 'DUPLICATE_CHECK' });
    // As an older hub took them: ¥50 of legal aid, corrected to ¥60, and aid to a person after the death the hub knows now.
    const paid = { reference: 'FY-OLD-1', beneficiaryIdNumber: PATIENT, programme: 'LEGAL_AID', grantDate: '2026-02-15', amountFen: 5_000 };
    const corrected = { ...paid, reference: 'FY-OLD-1-C', entryKind: 'CORRECTION' as const, supersedesReference: 'FY-OLD-1', amountFen: 6_000 };
    const late = { reference: 'DEATH-OLD-1', beneficiaryIdNumber: DECEASED, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-06', amountFen: 10_000 };
    const stored = (r: ReportedAidInput): ValidReportedAid => ({ supersedesReference: null, grantDate: null, periodStart: null, periodEnd: null, settlementRef: null, caseReference: null, needId: null, ...r, entryKind: r.entryKind ?? 'AID' });
    await dbs.hub.transaction((tx) => recordReportedAid(tx as never, [paid, corrected].map(stored), { clientName: j.name, officer: null, office: 'JUSTICE', creditCode: null }));
    await dbs.hub.transaction((tx) => recordReportedAid(tx as never, [stored(late)], { clientName: 'test-emergency', officer: null, office: 'EMERGENCY_MANAGEMENT', creditCode: null }));
    const rows = await ledgerRows();
    // Sent again (a retry after a lost answer), each is what it was: already recorded, not refused.
    for (const records of [[paid], [corrected], [paid, corrected], [{ ...paid, reference: ' fy-old-1 ' }]]) {
      expect((await justice.gql(REPORT, { records })).data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: records.length, userErrors: [] });
    }
    expect((await emergency.gql(REPORT, { records: [late] })).data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 1, userErrors: [] });
    // A retry beside a new record: the new one is checked and recorded, the retry answered.
    const next = { reference: 'FY-OLD-2', beneficiaryIdNumber: PATIENT, programme: 'LEGAL_AID', grantDate: '2026-02-16', amountFen: 0 };
    expect((await justice.gql(REPORT, { records: [corrected, next] })).data.aidReport).toMatchObject({ recorded: 1, alreadyRecorded: 1, userErrors: [] });
    // Another amount under the reference is no retry: checked as a new record, as any.
    expect((await justice.gql(REPORT, { records: [{ ...paid, amountFen: 7_000 }] })).data.aidReport.userErrors).toEqual([{ index: 0, code: 'AMOUNT_INVALID', field: 'amountFen' }]);
    expect((await justice.gql(REPORT, { records: [{ ...paid, amountFen: 0 }] })).data.aidReport.userErrors).toEqual([{ index: 0, code: 'REFERENCE_CONFLICT', field: 'reference' }]);
    expect((await emergency.gql(REPORT, { records: [{ ...late, amountFen: 12_000 }] })).data.aidReport.userErrors).toEqual([{ index: 0, code: 'BENEFICIARY_DECEASED', field: 'grantDate' }]);
    expect(await ledgerRows()).toBe(rows + 1);
  });

  it('takes the same batch as a CSV file (npm run report), once, and names bad lines', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-report-'));
    const good = path.join(dir, 'good.csv');
    fs.writeFileSync(good, `reference,beneficiary_id_number,programme,grant_date,amount_fen\nDF-CSV-1,${PATIENT},WINTER_SPRING_RELIEF,2026-02-01,30000\n`);
    expect(await reportFile(hub.url, emergencyToken, good)).toMatchObject({ recorded: 1, alreadyRecorded: 0, problems: [] });
    expect(await reportFile(hub.url, emergencyToken, good)).toMatchObject({ recorded: 0, alreadyRecorded: 1, problems: [] });
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, `reference,beneficiary_id_number,programme,grant_date,amount_fen\nDF-CSV-2,${PATIENT},WINTER_SPRING_RELIEF,2026-02-01,30000\nDF-CSV-3,${PATIENT},LEGAL_AID,2026-02-01,0\n`);
    const rows = await ledgerRows();
    const out = await reportFile(hub.url, emergencyToken, bad);
    expect(out.problems.map((p) => [p.line, p.code])).toEqual([[3, 'PROGRAMME_NOT_REPORTER']]);
    expect(await ledgerRows()).toBe(rows);
    // A bad cell of the file (line 2) and a record the hub refuses (line 3): both in one run, and
    // the stand-in amount of line 2 draws no second problem from the hub.
    const both = path.join(dir, 'both.csv');
    fs.writeFileSync(both, `reference,beneficiary_id_number,programme,grant_date,amount_fen\nDF-CSV-4,${PATIENT},WINTER_SPRING_RELIEF,2026-02-01,300.50\nDF-CSV-5,${PATIENT},LEGAL_AID,2026-02-01,0\nDF-CSV-6,${PATIENT},WINTER_SPRING_RELIEF,2026-02-01,30000\n`);
    const bothOut = await reportFile(hub.url, emergencyToken, both);
    expect(bothOut.problems.map((p) => [p.line, p.code])).toEqual([[2, 'AMOUNT_INVALID'], [3, 'PROGRAMME_NOT_REPORTER']]);
    expect(bothOut.recorded).toBe(0);
    expect(await ledgerRows()).toBe(rows);
    // No hub at the address: one problem naming it, not fetch's bare "fetch failed" thrown.
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await reportFile(nowhere, emergencyToken, good);
    expect(unreachable).toMatchObject({ recorded: 0, problems: [{ line: null, code: 'HUB_UNREACHABLE' }] });
    expect(unreachable.problems[0].message).toContain(nowhere);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('checks a batch without writing it (dryRun), with the checks made while recording', async () => {
    const DRY_REPORT = REPORT.replace('($records: [ReportedAidInput!]!)', '($records: [ReportedAidInput!]!, $dryRun: Boolean)').replace('{ records: $records }', '{ records: $records, dryRun: $dryRun }');
    const fresh = { reference: 'DRY-1', beneficiaryIdNumber: PATIENT, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-02-03', amountFen: 10_000 };
    const base = { ...fresh, reference: 'DRY-0', grantDate: '2026-02-02' };
    expect((await emergency.gql(DRY_REPORT, { records: [base] })).data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    const rows = await ledgerRows();
    const dry = await emergency.gql(DRY_REPORT, { records: [fresh], dryRun: true });
    expect(dry.errors).toBeUndefined();
    expect(dry.data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 0, entries: [], userErrors: [] });
    expect(await ledgerRows()).toBe(rows);
    // REFERENCE_CONFLICT is found only against the ledger, inside the recording transaction.
    const conflicting = await emergency.gql(DRY_REPORT, { records: [fresh, { ...base, amountFen: 90_000 }], dryRun: true });
    expect(conflicting.data.aidReport.userErrors).toEqual([{ index: 1, code: 'REFERENCE_CONFLICT', field: 'reference' }]);
    expect(await ledgerRows()).toBe(rows);
    const real = await emergency.gql(DRY_REPORT, { records: [fresh], dryRun: false });
    expect(real.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    expect(await ledgerRows()).toBe(rows + 1);
  });

  const lockWaits = () => lockWaitsOf(dbs.hub);

  it('lets one of two corrections of one entry sent at once supersede it, and refuses the other', async () => {
    const aid = { reference: 'RACE-1', beneficiaryIdNumber: PUPIL, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-02-10', amountFen: 20_000 };
    expect((await emergency.gql(REPORT, { records: [aid] })).data.aidReport.userErrors).toEqual([]);
    const correction = (reference: string, amountFen: number) => ({ ...aid, reference, entryKind: 'CORRECTION', supersedesReference: 'RACE-1', amountFen });
    // The entry is held while both corrections arrive, so both have read it standing before either
    // writes; released, they take turns.
    let sent: Promise<GraphQLResponse>[] | undefined;
    await dbs.hub.transaction(async (tx) => {
      await tx.execute(sql.raw("select id from reported_aid where reporter_client = 'test-emergency' and reference = 'RACE-1' for update"));
      sent = [emergency.gql(REPORT, { records: [correction('RACE-1-C1', 21_000)] }), emergency.gql(REPORT, { records: [correction('RACE-1-C2', 22_000)] })];
      sent.forEach((p) => p.catch(() => undefined)); // awaited below, after the entry is released
      await until('both corrections waiting for the entry', lockWaits, (n) => n >= 2);
    });
    const replies = await Promise.all(sent!);
    const outcomes = replies.map((r) => (r.data.aidReport.recorded === 1 ? 'RECORDED' : r.data.aidReport.userErrors.map((e: { code: string }) => e.code).join()));
    expect(outcomes.sort()).toEqual(['RECORDED', 'SUPERSEDES_ALREADY_SUPERSEDED']);
    const [rows] = (await dbs.hub.execute(sql`select count(*) as n from reported_aid where reporter_client = 'test-emergency' and reference like 'RACE-1%' and superseded_by is null`)) as unknown as [{ n: number }[]];
    expect(Number(rows[0].n)).toBe(1);
  });

  it('records once the same correction (and the same reversal) sent twice at once, answering the second as already recorded', async () => {
    const aid = { reference: 'RACE-3', beneficiaryIdNumber: PUPIL, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-02-12', amountFen: 20_000 };
    expect((await emergency.gql(REPORT, { records: [aid] })).data.aidReport.userErrors).toEqual([]);
    // Both sendings read the ledger before either writes (the entry is held meanwhile); released,
    // the second waits for the first, which supersedes the entry under the sendings' one reference.
    const twiceAtOnce = async (record: Record<string, unknown>, held: string) => {
      let sent: Promise<GraphQLResponse>[] | undefined;
      await dbs.hub.transaction(async (tx) => {
        await tx.execute(sql`select id from reported_aid where reporter_client = 'test-emergency' and reference = ${held} for update`);
        sent = [emergency.gql(REPORT, { records: [record] }), emergency.gql(REPORT, { records: [record] })];
        sent.forEach((p) => p.catch(() => undefined)); // awaited below, after the entry is released
        await until('both sendings waiting for the entry', lockWaits, (n) => n >= 2);
      });
      const replies = await Promise.all(sent!);
      return replies.map((r) => r.data.aidReport).map((a: { recorded: number; alreadyRecorded: number; userErrors: { code: string }[] }) => [a.recorded, a.alreadyRecorded, a.userErrors.map((e) => e.code).join()].join('/')).sort();
    };
    const corrected = { ...aid, reference: 'RACE-3-C', entryKind: 'CORRECTION', supersedesReference: 'RACE-3', amountFen: 21_000 };
    expect(await twiceAtOnce(corrected, 'RACE-3')).toEqual(['0/1/', '1/0/']);
    const reversed = { ...aid, reference: 'RACE-3-R', entryKind: 'REVERSAL', supersedesReference: 'RACE-3-C', amountFen: 0 };
    expect(await twiceAtOnce(reversed, 'RACE-3-C')).toEqual(['0/1/', '1/0/']);
    const [rows] = (await dbs.hub.execute(sql`select reference, superseded_by is null as standing from reported_aid where reporter_client = 'test-emergency' and reference like 'RACE-3%' order by id`)) as unknown as [{ reference: string; standing: number }[]];
    expect(rows.map((r) => `${r.reference}:${Number(r.standing)}`)).toEqual(['RACE-3:0', 'RACE-3-C:0', 'RACE-3-R:1']);
  });

  it('records once the same record sent twice at once, answering the second as already recorded', async () => {
    const record = { reference: 'RACE-2', beneficiaryIdNumber: PUPIL, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-02-11', amountFen: 20_000 };
    const checked = validateReport('EMERGENCY_MANAGEMENT', [record], TODAY);
    if (!checked.ok) throw new Error('the record is valid');
    // The first request's transaction (the ledger's one way in), not yet committed when the second
    // one's insert meets its row.
    let second: Promise<GraphQLResponse> | undefined;
    await dbs.hub.transaction(async (tx) => {
      const first = await recordReportedAid(tx as never, checked.records, { clientName: 'test-emergency', officer: null, office: 'EMERGENCY_MANAGEMENT', creditCode: null });
      expect(first.ok).toBe(true);
      second = emergency.gql(REPORT, { records: [record] });
      second.catch(() => undefined); // awaited below, once the first is committed
      await until('the second insert waiting for the first', lockWaits, (n) => n >= 1);
    });
    const res = await second!;
    expect(res.errors).toBeUndefined();
    expect(res.data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 1, userErrors: [] });
  });

  it('takes a batch of 1,000 records, the most a report holds, with every text at its longest; 1,001 is BATCH_TOO_LARGE', async () => {
    // Sent as JSON over HTTP like any reporter's: the batch must pass the body limit and the list
    // cap (MAX_LIST_SIZE, 500) on its way to the resolver, which bounds it itself.
    const longest = (prefix: string, i: number) => `${prefix}${String(i).padStart(4, '0')}`.padEnd(64, 'x');
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        reference: longest('MAX-', i),
        beneficiaryIdNumber: i % 2 ? PUPIL : PATIENT,
        programme: 'WINTER_SPRING_RELIEF',
        grantDate: '2026-02-20',
        amountFen: 2_147_483_647,
        caseReference: '任'.repeat(64),
        // needId names a published need (reported-aid-need-link test), not free text: none here.
      }));
    // A reporter of its own, so the 1,000 entries stay out of the other tests' reconciliation.
    const c = await hub.createClient({ name: 'test-emergency-bulk', department: 'EMERGENCY_MANAGEMENT', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
    const bulk = hub.as({ token: c.token, purpose: 'DUPLICATE_CHECK' });
    const rows = await ledgerRows();
    const tooMany = await bulk.gql(REPORT, { records: batch(1001) });
    expect(tooMany.errors).toBeUndefined();
    expect(tooMany.data.aidReport).toMatchObject({ recorded: 0, userErrors: [{ index: null, code: 'BATCH_TOO_LARGE', field: 'records' }] });
    expect(await ledgerRows()).toBe(rows);

    const most = await bulk.gql(REPORT, { records: batch(1000) });
    expect(most.errors).toBeUndefined();
    expect(most.data.aidReport).toMatchObject({ recorded: 1000, alreadyRecorded: 0, userErrors: [] });
    expect(await ledgerRows()).toBe(rows + 1000);
    // Only a reporter's bodies may be that large: any other client's stay within 100 kB.
    const notReporter = await hub.gql(REPORT, { records: batch(1000) });
    expect(notReporter.errors?.[0].extensions).toMatchObject({ code: 'BAD_REQUEST', reason: 'BODY_TOO_LARGE' });
  }, 180_000);

  it('reads a history under the reference as aidReport recorded it (trimmed), and refuses one it would refuse', async () => {
    // A reference sent with the spaces of a CSV cell is recorded trimmed; asked for the same way, it
    // answered nothing, as if the record had never been received. (A reporter of its own, so the
    // entry stays out of the other tests' reconciliation.)
    const c = await hub.createClient({ name: 'test-emergency-history', department: 'EMERGENCY_MANAGEMENT', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
    const reporter = hub.as({ token: c.token, purpose: 'DUPLICATE_CHECK' });
    const sent = await reporter.gql(REPORT, { records: [{ ...winter[0], reference: ' DF-2026-020 ', grantDate: '2026-01-22' }] });
    expect(sent.data.aidReport).toMatchObject({ recorded: 1, entries: [{ reference: 'DF-2026-020' }] });
    const HISTORY = `query($r: String!) { reportedAidHistory(reference: $r) { reference } }`;
    for (const asked of [' DF-2026-020 ', 'DF-2026-020\n', 'DF-2026-020']) {
      const history = await reporter.gql(HISTORY, { r: asked });
      expect(history.errors).toBeUndefined();
      expect(history.data.reportedAidHistory).toEqual([{ reference: 'DF-2026-020' }]);
    }
    for (const bad of ['', 'DF 2026 020', 'x'.repeat(65), "DF' OR '1'='1"]) {
      const refused = await reporter.gql(HISTORY, { r: bad });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'reference', reason: 'MALFORMED_REFERENCE' });
    }
  });

  it('reads a reference as the ledger keys it, whatever its case: a retry in lower case, a conflict, a batch, a correction, a history', async () => {
    const record = { reference: 'DF-2026-100', beneficiaryIdNumber: PATIENT, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-22', amountFen: 10_000 };
    expect((await emergency.gql(REPORT, { records: [record] })).data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    const rows = await ledgerRows();
    // The same record from a system that lower-cases its keys: already recorded (it answered 500, ER_DUP_ENTRY).
    const retry = await emergency.gql(REPORT, { records: [{ ...record, reference: 'df-2026-100' }] });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 1, entries: [{ reference: 'DF-2026-100' }], userErrors: [] });
    // Another record under it: a conflict, as under the reference as first written.
    const other = await emergency.gql(REPORT, { records: [{ ...record, reference: 'df-2026-100', amountFen: 20_000 }] });
    expect(other.errors).toBeUndefined();
    expect(other.data.aidReport.userErrors).toEqual([{ index: 0, code: 'REFERENCE_CONFLICT', field: 'reference' }]);
    // Twice in one batch.
    const twice = await emergency.gql(REPORT, { records: [{ ...record, reference: 'DF-2026-101' }, { ...record, reference: 'df-2026-101', amountFen: 20_000 }] });
    expect(twice.errors).toBeUndefined();
    expect(twice.data.aidReport.userErrors).toEqual([{ index: 1, code: 'REFERENCE_REPEATED_IN_BATCH', field: 'reference' }]);
    expect(await ledgerRows()).toBe(rows);
    // A correction naming it in lower case supersedes it; its history is found either way.
    const correction = await emergency.gql(REPORT, { records: [{ ...record, reference: 'DF-2026-100-C', amountFen: 9_000, entryKind: 'CORRECTION', supersedesReference: 'df-2026-100' }] });
    expect(correction.errors).toBeUndefined();
    expect(correction.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    for (const reference of ['df-2026-100', 'DF-2026-100-C', 'df-2026-100-c']) {
      const history = await emergency.gql(`query($reference: String!) { reportedAidHistory(reference: $reference) { reference entryKind superseded } }`, { reference });
      expect(history.errors).toBeUndefined();
      expect(history.data.reportedAidHistory).toEqual([
        { reference: 'DF-2026-100', entryKind: 'AID', superseded: true },
        { reference: 'DF-2026-100-C', entryKind: 'CORRECTION', superseded: false },
      ]);
    }
  });

  it("refuses aid dated after its beneficiary's death, takes it on the day of death, and takes a reversal of such a record", async () => {
    // DECEASED died on 2025-11-20, as the hub's person records it.
    const rows = await ledgerRows();
    const refused = await emergency.gql(REPORT, {
      records: [
        { reference: 'DEATH-1', beneficiaryIdNumber: DECEASED, programme: 'WINTER_SPRING_RELIEF', grantDate: '2025-12-01', amountFen: 10_000 },
        { reference: 'DEATH-2', beneficiaryIdNumber: DECEASED, programme: 'DISASTER_TRANSITION', periodStart: '2025-12-01', amountFen: 10_000 },
        { reference: 'DEATH-3', beneficiaryIdNumber: PUPIL, programme: 'WINTER_SPRING_RELIEF', grantDate: '2025-12-01', amountFen: 10_000 },
      ],
    });
    expect(refused.data.aidReport.userErrors).toEqual([
      { index: 0, code: 'BENEFICIARY_DECEASED', field: 'grantDate' },
      { index: 1, code: 'BENEFICIARY_DECEASED', field: 'periodStart' },
    ]);
    expect(refused.data.aidReport.recorded).toBe(0);
    expect(await ledgerRows()).toBe(rows);
    // The day of death is in November, out of 冬春救助's season (OUT_OF_SEASON): 过渡期生活救助 from that day.
    const onTheDay = await emergency.gql(REPORT, { records: [{ reference: 'DEATH-4', beneficiaryIdNumber: DECEASED, programme: 'DISASTER_TRANSITION', periodStart: '2025-11-20', periodEnd: '2025-11-20', amountFen: 10_000 }] });
    expect(onTheDay.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    // A grant after the death the ledger took before this check: its reporter takes it back.
    const before = { reference: 'DEATH-5', beneficiaryIdNumber: DECEASED, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-05', amountFen: 10_000 };
    const checked = validateReport('EMERGENCY_MANAGEMENT', [before], TODAY);
    if (!checked.ok) throw new Error('the record is valid but for the death');
    await dbs.hub.transaction((tx) => recordReportedAid(tx as never, checked.records, { clientName: 'test-emergency', officer: null, office: 'EMERGENCY_MANAGEMENT', creditCode: null }));
    const reversal = await emergency.gql(REPORT, { records: [{ ...before, reference: 'DEATH-5-R', entryKind: 'REVERSAL', supersedesReference: 'DEATH-5', amountFen: 0 }] });
    expect(reversal.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    // Sent anew under another reference, it is refused.
    const corrected = await emergency.gql(REPORT, { records: [{ ...before, reference: 'DEATH-6', grantDate: '2026-01-06' }] });
    expect(corrected.data.aidReport.userErrors).toEqual([{ index: 0, code: 'BENEFICIARY_DECEASED', field: 'grantDate' }]);
  });

  it("refuses aid dated before its beneficiary's birth, and writes nothing of the batch", async () => {
    // PUPIL was born 2012-05-05: 1926 for 2026 is a typo the ledger kept as aid before the refusal.
    const rows = await ledgerRows();
    const res = await emergency.gql(REPORT, {
      records: [
        { reference: 'BIRTH-1', beneficiaryIdNumber: PUPIL, programme: 'WINTER_SPRING_RELIEF', grantDate: '1926-01-20', amountFen: 10_000 },
        { reference: 'BIRTH-2', beneficiaryIdNumber: PUPIL, programme: 'DISASTER_TRANSITION', periodStart: '2012-05-04', amountFen: 10_000 },
        { reference: 'BIRTH-3', beneficiaryIdNumber: PUPIL, programme: 'WINTER_SPRING_RELIEF', grantDate: '2012-05-05', amountFen: 10_000 },
      ],
    });
    expect(res.data.aidReport.userErrors).toEqual([
      { index: 0, code: 'DATE_INVALID', field: 'grantDate' },
      { index: 1, code: 'DATE_INVALID', field: 'periodStart' },
    ]);
    expect(res.data.aidReport.recorded).toBe(0);
    expect(await ledgerRows()).toBe(rows);
  });

  it('refuses a reference carrying an ID, mobile or account number, per record, writing nothing of the batch; a settlement reference is not screened', async () => {
    // Others read a record's reference (reportedBy.reference beside the household's aid).
    const rows = await ledgerRows();
    const record = (reference: string, more: Record<string, unknown> = {}) => ({ reference, beneficiaryIdNumber: PUPIL, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-02-21', amountFen: 10_000, ...more });
    const split = `${PUPIL.slice(0, 6)}-${PUPIL.slice(6, 14)}-${PUPIL.slice(14)}`;
    const refused = await emergency.gql(REPORT, {
      records: [
        record('DF-2026-0301-0001'),
        record(`RA-${split}`),
        record('TEL13905371234'),
        record('ACCT622202123456789'),
        record('DF\u200b2026'),
        record('TEL-139.0537.1234'),
        record('DF-2026-12-03-0001'),
      ],
    });
    expect(refused.errors).toBeUndefined();
    expect(refused.data.aidReport.userErrors).toEqual([
      { index: 1, code: 'REFERENCE_IDENTIFIES', field: 'reference' },
      { index: 2, code: 'REFERENCE_IDENTIFIES', field: 'reference' },
      { index: 3, code: 'REFERENCE_IDENTIFIES', field: 'reference' },
      // References are ASCII: an invisible character is the malformed reference it always was.
      { index: 4, code: 'REFERENCE_INVALID', field: 'reference' },
      // A mobile number split by dots is one; a date with its dashes is not.
      { index: 5, code: 'REFERENCE_IDENTIFIES', field: 'reference' },
    ]);
    expect(refused.data.aidReport.recorded).toBe(0);
    expect(await ledgerRows()).toBe(rows);

    // A supersedesReference naming no entry is screened as a reference is.
    const correction = record('DF-2026-0301-0002', { entryKind: 'CORRECTION', supersedesReference: `RA-${split}` });
    const unknown = await emergency.gql(REPORT, { records: [record('DF-2026-0301-0003'), correction] });
    expect(unknown.data.aidReport.userErrors).toEqual([{ index: 1, code: 'REFERENCE_IDENTIFIES', field: 'supersedesReference' }]);
    expect(await ledgerRows()).toBe(rows);

    // The case reference is shown beside the household's aid (AidRecord.caseReference) as the
    // reference is, and screened as it is; a case number, the hub's or the office's own, passes.
    const cases = await emergency.gql(REPORT, {
      records: [
        record('DF-2026-0301-0005', { caseReference: 'AH-2026-000023' }),
        record('DF-2026-0301-0006', { caseReference: PUPIL }),
        record('DF-2026-0301-0007', { caseReference: '案件 139 0537 1234' }),
        record('DF-2026-0301-0008', { caseReference: `户 ${split}` }),
      ],
    });
    expect(cases.data.aidReport.userErrors).toEqual([
      { index: 1, code: 'REFERENCE_IDENTIFIES', field: 'caseReference' },
      { index: 2, code: 'REFERENCE_IDENTIFIES', field: 'caseReference' },
      { index: 3, code: 'REFERENCE_IDENTIFIES', field: 'caseReference' },
    ]);
    expect(await ledgerRows()).toBe(rows);

    // An entry the ledger took before references were screened is still corrected or reversed by its reference.
    const checked = validateReport('EMERGENCY_MANAGEMENT', [record('LEGACY-1')], TODAY);
    if (!checked.ok) throw new Error('the record is valid');
    const legacy = { ...checked.records[0], reference: `LEGACY-${PUPIL}` };
    await dbs.hub.transaction((tx) => recordReportedAid(tx as never, [legacy], { clientName: 'test-emergency', officer: null, office: 'EMERGENCY_MANAGEMENT', creditCode: null }));
    const reversed = await emergency.gql(REPORT, { records: [record('DF-2026-0301-0004', { entryKind: 'REVERSAL', supersedesReference: legacy.reference, amountFen: 0 })] });
    expect(reversed.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });

    // A hospital's settlement reference is its own long number: taken.
    const medical = await charity.gql(REPORT, { records: [{ reference: 'CS-2026-0301-0001', beneficiaryIdNumber: PUPIL, programme: 'CHARITY_MEDICAL', grantDate: '2026-02-21', amountFen: 10_000, settlementRef: '3708110000202602210000123456' }] });
    expect(medical.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    expect(await ledgerRows()).toBe(rows + 3);
  });
});

describe('aidReport: a conflict of a beneficiary outside the reporter’s region', () => {
  const EXPLAINED = /* GraphQL */ `
    mutation($records: [ReportedAidInput!]!) {
      aidReport(input: { records: $records, dryRun: true }) { conflicts { index rule { id } severity departments { code } explanation } userErrors { code } }
    }
  `;
  const illness = [{ reference: 'HS-2026-0001', beneficiaryIdNumber: PATIENT, programme: 'RED_CROSS_ILLNESS', grantDate: '2026-01-25', amountFen: 400_000, settlementRef: SETTLEMENT }];

  it('is explained by its rule alone, as preGrantCheck withholds the explanation there: no other office’s amounts or days', async () => {
    // The patient's household lies in 任城区 (370811): the 兖州区 (370812) office checks in the LIMITED view.
    const near = await hub.createClient({ name: 'test-red-cross-370811', department: 'RED_CROSS', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
    const far = await hub.createClient({ name: 'test-red-cross-370812', department: 'RED_CROSS', regionScope: '370812', roles: ['DEPARTMENT_WRITER'] });
    const inScope = await hub.as({ token: near.token, purpose: 'DUPLICATE_CHECK' }).gql(EXPLAINED, { records: illness });
    const outside = await hub.as({ token: far.token, purpose: 'DUPLICATE_CHECK' }).gql(EXPLAINED, { records: illness });
    expect(inScope.errors).toBeUndefined();
    expect(outside.errors).toBeUndefined();
    // The same conflict, rule, severity and departments, to both.
    const bare = (c: { explanation: string }[]) => c.map(({ explanation: _, ...rest }) => rest);
    expect(bare(outside.data.aidReport.conflicts)).toEqual(bare(inScope.data.aidReport.conflicts));
    expect(bare(outside.data.aidReport.conflicts)).toContainEqual({ index: 0, rule: { id: 'X7' }, severity: 'CONFLICT', departments: expect.arrayContaining([{ code: 'HEALTH' }]) });
    // In its region the office reads the stay's aid (medical aid of 2,000 yuan paid on 2026-01-09);
    // outside it, none of it: as AidRecord.amountFen is refused there, and preGrantCheck words it alike.
    const x7 = (r: typeof inScope) => r.data.aidReport.conflicts.find((c: { rule: { id: string } }) => c.rule.id === 'X7').explanation as string;
    expect(x7(inScope)).toContain('2000.00 元');
    expect(x7(outside)).not.toMatch(/元|\d{4}-\d{2}-\d{2}/);
    const check = await hub.as({ token: far.token, purpose: 'DUPLICATE_CHECK' }).gql(
      `{ preGrantCheck(input: { programme: "RED_CROSS_ILLNESS", beneficiaryIdNumber: "${PATIENT}", grantDate: "2026-01-25", amountFen: 400000, settlementReference: "${SETTLEMENT}" }) { findings { rule { id } explanation } } }`,
    );
    expect(check.errors).toBeUndefined();
    expect(check.data.preGrantCheck.findings.find((f: { rule: { id: string } }) => f.rule.id === 'X7').explanation).toBe(x7(outside));
  });

  it('is explained to a charity by its rule alone, in its region too: a charity reads no other office’s aid', async () => {
    // The charity's scope (370800) holds the patient; it reads no household, person or preGrantCheck, yet the
    // explanation gave it the stay's medical aid, 2,000 yuan paid on 2026-01-09, for any ID number it sent in a dry run.
    const res = await charity.gql(EXPLAINED, { records: [{ reference: 'CS-EXPL-1', beneficiaryIdNumber: PATIENT, programme: 'CHARITY_MEDICAL', grantDate: '2026-01-25', amountFen: 400_000, settlementRef: SETTLEMENT }] });
    expect(res.errors).toBeUndefined();
    const x7 = res.data.aidReport.conflicts.find((c: { rule: { id: string } }) => c.rule.id === 'X7');
    expect(x7).toMatchObject({ index: 0, severity: 'CONFLICT' });
    expect(x7.explanation).not.toMatch(/元|\d{4}-\d{2}-\d{2}/);
  });

  it('names to a charity its own office alone among the departments: which other offices aided the stay is their aid', async () => {
    // A stay of its own (a burden of 3,000 yuan) with the women's federation's "两癌" aid of 1,000 on it.
    const woman = makeIdNumber('370811', '1970-08-08', 46);
    const stay = 'SETL-RA-DEPTS';
    await addHousehold(dbs, 'F-RA-DEPTS', [{ idNumber: woman, name: '子', gender: 'F', birthDate: '1970-08-08' }]);
    await healthScenario.insert(dbs.sources.HEALTH, 'settlements', { setlId: stay, psnCertNo: woman, fixmedinsName: '任城区人民医院', admDate: '2026-01-03', dscgDate: '2026-01-12', setlDate: '2026-01-12', diseName: '乳腺恶性肿瘤', medfeeSumamt: '10000.00', hifpPay: '7000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay: '3000.00' });
    const federation = await hub.createClient({ name: 'test-womens-federation-depts', department: 'WOMENS_FEDERATION', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] });
    const given = await hub.as({ token: federation.token, purpose: 'DUPLICATE_CHECK' }).gql(REPORT, { records: [{ reference: 'FL-DEPTS-1', beneficiaryIdNumber: woman, programme: 'TWO_CANCERS_AID', grantDate: '2026-01-20', amountFen: 100_000, settlementRef: stay }] });
    expect(given.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    // 1,000 + 2,500 on a burden of 3,000: X7. The departments told the charity the federation had aided her (a cancer).
    const charityRecord = [{ reference: 'CS-DEPTS-1', beneficiaryIdNumber: woman, programme: 'CHARITY_MEDICAL', grantDate: '2026-01-25', amountFen: 250_000, settlementRef: stay }];
    const res = await charity.gql(EXPLAINED, { records: charityRecord });
    expect(res.errors).toBeUndefined();
    expect(res.data.aidReport.conflicts).toEqual([{ index: 0, rule: { id: 'X7' }, severity: 'CONFLICT', departments: [{ code: 'CHARITY' }], explanation: expect.any(String) }]);
    // An office reporting the same aid reads them all, as preGrantCheck shows them.
    const redCross = await hub.createClient({ name: 'test-red-cross-depts', department: 'RED_CROSS', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] });
    const office = await hub.as({ token: redCross.token, purpose: 'DUPLICATE_CHECK' }).gql(EXPLAINED, { records: [{ ...charityRecord[0], reference: 'HS-DEPTS-1', programme: 'RED_CROSS_ILLNESS' }] });
    expect(office.data.aidReport.conflicts[0].departments.map((d: { code: string }) => d.code)).toEqual(expect.arrayContaining(['WOMENS_FEDERATION', 'RED_CROSS']));
  });
});

describe('aidReport: the conflicts a correction or a retry causes', () => {
  const STAY = 'SETL-RA-CORR';
  const PATIENT2 = makeIdNumber('370811', '1960-04-04', 44);
  const aid = (reference: string, amountFen: number, more: Record<string, unknown> = {}) => ({ reference, beneficiaryIdNumber: PATIENT2, programme: 'CHARITY_MEDICAL', grantDate: '2026-01-25', amountFen, settlementRef: STAY, ...more });
  const x7 = [{ index: 0, rule: { id: 'X7' }, severity: 'CONFLICT' }];

  beforeAll(async () => {
    await addHousehold(dbs, 'F-RA-CORR', [{ idNumber: PATIENT2, name: '癸', gender: 'M', birthDate: '1960-04-04' }]);
    // A burden of 3,000 yuan, no medical aid on it.
    await healthScenario.insert(dbs.sources.HEALTH, 'settlements', {
      setlId: STAY,
      psnCertNo: PATIENT2,
      fixmedinsName: '任城区人民医院',
      admDate: '2026-01-10',
      dscgDate: '2026-01-15',
      setlDate: '2026-01-15',
      diseName: '肺炎',
      medfeeSumamt: '10000.00',
      hifpPay: '7000.00',
      hifmiPay: '0.00',
      mafPay: '0.00',
      psnPay: '3000.00',
    });
  });

  it('answers a correction with the conflict its amount causes, judged without the entry it supersedes', async () => {
    const first = await charity.gql(REPORT, { records: [aid('CS-CORR-1', 100_000)] });
    expect(first.data.aidReport).toMatchObject({ recorded: 1, conflicts: [], userErrors: [] });
    // Corrected to 4,000 yuan on a burden of 3,000: X7 by itself (it was answered clear, the
    // finding naming the superseded entry being dropped whole), as the household then shows.
    const raised = await charity.gql(REPORT, { records: [aid('CS-CORR-1-C', 400_000, { entryKind: 'CORRECTION', supersedesReference: 'CS-CORR-1' })] });
    expect(raised.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    expect(raised.data.aidReport.conflicts).toEqual(x7);
    const person = await hub.gql(`query($id: String!) { person(idNumber: $id) { findings { rule { id } } } }`, { id: PATIENT2 });
    expect(person.data.person.findings.map((f: { rule: { id: string } }) => f.rule.id)).toContain('X7');
    // The same correction again (its answer lost): recorded once, and the same conflict answered.
    const retry = await charity.gql(REPORT, { records: [aid('CS-CORR-1-C', 400_000, { entryKind: 'CORRECTION', supersedesReference: 'CS-CORR-1' })] });
    expect(retry.data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 1, userErrors: [] });
    expect(retry.data.aidReport.conflicts).toEqual(x7);
    // Corrected down to 2,000 yuan: clear, the 4,000 it replaces not counted beside it.
    const lowered = await charity.gql(REPORT, { records: [aid('CS-CORR-1-C2', 200_000, { entryKind: 'CORRECTION', supersedesReference: 'CS-CORR-1-C' })] });
    expect(lowered.data.aidReport).toMatchObject({ recorded: 1, conflicts: [], userErrors: [] });
  });

  it('answers a retry of a record in conflict with that conflict, not counting the record twice', async () => {
    // 2,000 on record (CS-CORR-1-C2) + 1,500 = 3,500 on a burden of 3,000.
    const first = await charity.gql(REPORT, { records: [aid('CS-CORR-2', 150_000)] });
    expect(first.data.aidReport).toMatchObject({ recorded: 1, userErrors: [] });
    expect(first.data.aidReport.conflicts).toEqual(x7);
    const retry = await charity.gql(REPORT, { records: [aid('cs-corr-2', 150_000)] });
    expect(retry.data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 1, userErrors: [] });
    expect(retry.data.aidReport.conflicts).toEqual(x7);
  });

  it('answers a retry of a record corrected or reversed since with no conflict: it no longer counts', async () => {
    // CS-CORR-2 reversed: 2,000 stands (CS-CORR-1-C2) on a burden of 3,000, clear.
    const reversed = await charity.gql(REPORT, { records: [aid('CS-CORR-2-R', 0, { entryKind: 'REVERSAL', supersedesReference: 'CS-CORR-2' })] });
    expect(reversed.data.aidReport).toMatchObject({ recorded: 1, conflicts: [], userErrors: [] });
    const person = await hub.gql(`query($id: String!) { person(idNumber: $id) { findings { rule { id } } } }`, { id: PATIENT2 });
    expect(person.data.person.findings.map((f: { rule: { id: string } }) => f.rule.id)).not.toContain('X7');
    // The reversed record and the superseded correction sent again (a clerk resending last month's
    // file): recorded once, and no conflict. Each was judged as aid to be given again beside what
    // stands, and answered X7 (1,500 + 2,000; 4,000 + 2,000), which the household does not have.
    const again = await charity.gql(REPORT, { records: [aid('CS-CORR-2', 150_000), aid('CS-CORR-1-C', 400_000, { entryKind: 'CORRECTION', supersedesReference: 'CS-CORR-1' })] });
    expect(again.data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 2, conflicts: [], userErrors: [] });
  });
});
