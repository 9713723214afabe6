/**
 * Rows as departments really export them: an amount left NULL where the hub expects one (the
 * department's column allows it), a date MariaDB kept as 0000-00-00 outside strict mode, a yuan
 * amount with a fraction of a fen after the department widened its DECIMAL column (which failed the
 * department's whole read, reported UNREACHABLE with no error code). One such row nulled the whole household (a Fen! field that is
 * null propagates up to it) and answered INTERNAL_SERVER_ERROR. Now the record is left out, the
 * department's other records are shown, and the answer says it is incomplete: the department's
 * source UNREADABLE_ROWS, `complete: false`, one DEPARTMENT_UNAVAILABLE error; the log counts the
 * unreadable records by field, naming no record (a source reference can hold an ID number).
 */
import { Writable } from 'node:stream';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import mysql from 'mysql2/promise';
import { healthScenario } from '../federation/health/scenario';
import { unionScenario } from '../federation/union/scenario';
import pino from 'pino';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const QUERY = /* GraphQL */ `
  query($id: ID!) {
    household(id: $id) {
      aid { department { code } programme { code } amountFen grantDate }
      sources { department { code } available reason }
      aidSummary { complete }
    }
  }
`;

/** A department table's name and its columns' names by property, for SQL written as the department's own system would. */
function named(table: MySqlTable): { name: string; col: Record<string, string> } {
  return { name: getTableName(table), col: Object.fromEntries(Object.entries(getTableColumns(table)).map(([k, c]) => [k, c.name])) };
}
const G = named(unionScenario.tables.grants.table);
const P = named(healthScenario.tables.aidPayments.table);
/** A union grant on the file GH-BAD-1: type, date, amount as SQL literals. */
const grant = (type: string, date: string, amount: string, student = 'NULL', year = 'NULL') =>
  `INSERT INTO ${G.name} (${G.col.fileNo}, ${G.col.grantType}, ${G.col.grantDate}, ${G.col.amountFen}, ${G.col.studentIdCard}, ${G.col.schoolYear}) VALUES ('GH-BAD-1', '${type}', '${date}', ${amount}, ${student}, ${year})`;
const payment = (id: string, date: string, amountYuan: string) =>
  `INSERT INTO ${P.name} (${P.col.payId}, ${P.col.psnCertNo}, ${P.col.aidType}, ${P.col.payDate}, ${P.col.payAmt}) VALUES ('${id}', ?, 'CBZZ', '${date}', ${amountYuan})`;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let union: mysql.Connection;
const logLines: Record<string, unknown>[] = [];
/** The union's records of the Wang household before any bad row: each bad row must leave them shown. */
let unionBefore: unknown[];

beforeAll(async () => {
  dbs = await createTestDatabases('source_bad_rows');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  hub = await startTestHub(dbs, { today: TODAY, logger: pino({ level: 'debug' }, sink) });
  union = await mysql.createConnection({ uri: dbs.sourceUrls.UNION });
  // The department's own session: MariaDB outside strict mode, as many department systems run it.
  await union.query("SET SESSION sql_mode = ''");
  await unionScenario.insert(dbs.sources.UNION, 'workerFiles', { fileNo: 'GH-BAD-1', idCard: WANG.head, employer: '济宁某厂', hardshipLevel: 1, fileDate: '2024-01-01' });
  // The department's column allows NULL, as its own system declares it.
  await union.query(`ALTER TABLE ${G.name} MODIFY ${G.col.amountFen} INT NULL`);
  const res = await hub.gql(QUERY, { id: String(wangId) });
  expect(res.errors).toBeUndefined();
  unionBefore = res.data.household.aid.filter((a: any) => a.department.code === 'UNION');
  expect(unionBefore.length).toBeGreaterThan(0);
}, 120_000);

afterAll(async () => {
  await union?.end();
  await hub?.close();
  await dbs.close();
});

afterEach(() => union.query(`DELETE FROM ${G.name} WHERE ${G.col.fileNo} = 'GH-BAD-1'`));

it.each([
  ['an amount left NULL', grant('BF', '2026-01-06', 'NULL'), 'amountFen'],
  ['a grant dated 0000-00-00', grant('BF', '0000-00-00', '50000'), 'grantDate'],
])('%s: the household answers with the rest, the department reported incomplete', async (_what, insert, field) => {
  await union.query(insert);
  logLines.length = 0;
  const res = await hub.gql(QUERY, { id: String(wangId) });
  expect(res.data.household).not.toBeNull();
  const h = res.data.household;
  expect(h.aid.filter((a: any) => a.department.code === 'UNION')).toEqual(unionBefore);
  expect(h.aid.filter((a: any) => a.department.code === 'CIVIL_AFFAIRS')).toHaveLength(WANG.expectedRecords.CIVIL_AFFAIRS.length);
  expect(h.sources.find((s: any) => s.department.code === 'UNION')).toMatchObject({ available: false, reason: 'UNREADABLE_ROWS' });
  expect(h.sources.filter((s: any) => !s.available)).toHaveLength(1);
  expect(h.aidSummary.complete).toBe(false);
  expect(res.errors?.map((e) => e.extensions)).toEqual([{ code: 'DEPARTMENT_UNAVAILABLE', department: 'UNION', reason: 'UNREADABLE_ROWS' }]);
  // The department answered and its other records are above: the message said it "did not answer" and its records were missing.
  expect(res.errors?.[0].message).not.toMatch(/did not answer|its records are missing/);
  const warned = logLines.filter((l) => l.msg === 'department source unavailable');
  expect(warned).toEqual([expect.objectContaining({ department: 'UNION', reason: 'UNREADABLE_ROWS', errorCode: 'UNREADABLE_ROWS', unreadableRecords: { [field]: 1 } })]);
  expect(JSON.stringify(logLines)).not.toContain(WANG.head);
});

it('answers whole again once the department corrects the row', async () => {
  await union.query(grant('BF', '2026-01-06', 'NULL'));
  expect((await hub.gql(QUERY, { id: String(wangId) })).data.household.aidSummary.complete).toBe(false);
  await union.query(`UPDATE ${G.name} SET ${G.col.amountFen} = 50000 WHERE ${G.col.fileNo} = 'GH-BAD-1'`);
  const res = await hub.gql(QUERY, { id: String(wangId) });
  expect(res.errors).toBeUndefined();
  expect(res.data.household.aidSummary.complete).toBe(true);
  expect(res.data.household.aid.filter((a: any) => a.department.code === 'UNION')).toHaveLength(unionBefore.length + 1);
});

it('a pre-grant check reading an unreadable record answers, incomplete, without it', async () => {
  // A 金秋助学 grant to the Wang child with its amount left NULL: the check of a 国家助学金 reads it (X6).
  await union.query(grant('JQ', '2025-09-01', 'NULL', '?', "'2025-2026'"), [WANG.child]);
  const res = await hub.gql(
    `query($i: PreGrantCheckInput!) { preGrantCheck(input: $i) { complete findings { rule { id } records { amountFen sourceReference } } } }`,
    { i: { beneficiaryIdNumber: WANG.child, programme: 'NATIONAL_GRANT', grantDate: '2026-02-01', amountFen: 100, schoolYear: '2025-2026' } },
  );
  expect(res.data.preGrantCheck.complete).toBe(false);
  // The unreadable record is in no finding (a finding on a department read only in part is not claimed, as after a timeout).
  expect(res.data.preGrantCheck.findings.flatMap((f: any) => f.records).every((r: any) => Number.isSafeInteger(r.amountFen))).toBe(true);
  expect(res.errors?.map((e) => e.extensions)).toEqual([{ code: 'DEPARTMENT_UNAVAILABLE', department: 'UNION', reason: 'UNREADABLE_ROWS' }]);
});

it('a yuan amount with a fraction of a fen leaves out that record only; a widened column is read as it is', async () => {
  const health = await mysql.createConnection({ uri: dbs.sourceUrls.HEALTH });
  try {
    await health.query(payment('P-OK-1', '2026-01-04', '300.00'), [WANG.head]);
    const before = (await hub.gql(QUERY, { id: String(wangId) })).data.household.aid.filter((a: any) => a.department.code === 'HEALTH');
    expect(before).toContainEqual(expect.objectContaining({ programme: { code: 'PREMIUM_SUBSIDY' }, amountFen: 30000 }));
    // The department widens its column: every amount now comes as 123.450, which is still read.
    await health.query(`ALTER TABLE ${P.name} MODIFY ${P.col.payAmt} DECIMAL(12,3) NOT NULL`);
    await health.query(payment('P-BAD-1', '2026-01-05', '12.345'), [WANG.head]);
    logLines.length = 0;
    const res = await hub.gql(QUERY, { id: String(wangId) });
    expect(res.data.household.aid.filter((a: any) => a.department.code === 'HEALTH')).toEqual(before);
    expect(res.data.household.sources.find((s: any) => s.department.code === 'HEALTH')).toMatchObject({ available: false, reason: 'UNREADABLE_ROWS' });
    expect(res.errors?.map((e) => e.extensions)).toEqual([{ code: 'DEPARTMENT_UNAVAILABLE', department: 'HEALTH', reason: 'UNREADABLE_ROWS' }]);
    expect(logLines.filter((l) => l.msg === 'department source unavailable')).toEqual([expect.objectContaining({ department: 'HEALTH', unreadableRecords: { amountFen: 1 } })]);
  } finally {
    await health.end();
  }
});
