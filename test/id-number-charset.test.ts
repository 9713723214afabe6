/**
 * Departments whose ID-number columns are not in a Unicode character set, as many real department
 * systems in China keep them: civil affairs' in latin1 (an ASCII-only legacy system), the disability
 * federation's in GBK. Every read of a person asks for the number in full-width digits too
 * (federation/id-numbers.ts, `otherWrittenForms`). Against a latin1 column MariaDB (and MySQL)
 * refused the whole statement, "Illegal mix of collations … for operation 'in'", as no full-width
 * digit converts to latin1: civil affairs was DEPARTMENT_UNAVAILABLE for every household. A GBK
 * column holds full-width digits: asked as they are, through its index, a full-width row found.
 *
 * Through a real hub over real department databases: the household, its findings, a pre-grant
 * check, a county scan, monitoring's change feed; and every statement's plan under EXPLAIN.
 */
import { getTableName, sql } from 'drizzle-orm';
import type mysql from 'mysql2/promise';
import type { DepartmentCode } from '../domain/departments';
import { fullWidth, makeIdNumber, oldIdNumberOf } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { disabilityScenario } from '../federation/disability/scenario';
import { polledFeeds, rowsAfter } from '../federation/change-feed';
import type { SourceDb } from '../federation/contract';
import { ADAPTERS, factProvider } from '../federation/registry';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { capturingStatements, EXPLAIN_ROWS, type Captured } from './support/statements';
import { startTestHub, type TestHub } from './support/hub';
import { scanFindings } from './support/scan';
import { insertHeadAndSon, insertRegions, TODAY } from './support/scenarios';

const HEAD = makeIdNumber('370811', '1966-03-03', 311);
const MEMBER = makeIdNumber('370811', '1991-08-08', 121);
/** The member's first-generation number (ASCII): a latin1 column holds it. */
const OLD = oldIdNumberOf(MEMBER)!;
/** People of another county, so that each department's tables are big enough for the optimiser to prefer an index. */
const OTHERS = Array.from({ length: 1500 }, (_, i) => makeIdNumber('370812', `19${60 + (i % 30)}-01-${String(1 + (i % 28)).padStart(2, '0')}`, 100 + Math.floor(i / 840)));

/** Every column of a department's tables named so, re-declared in `charset` (its nullability kept). */
async function declare(db: SourceDb, names: readonly string[], charset: string): Promise<number> {
  const [columns] = (await db.execute(
    sql`SELECT TABLE_NAME AS t, COLUMN_NAME AS c, IS_NULLABLE AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME IN (${sql.join(names.map((n) => sql`${n}`), sql`, `)})`,
  )) as unknown as [{ t: string; c: string; n: string }[]];
  for (const { t, c, n } of columns) await db.execute(sql.raw(`ALTER TABLE \`${t}\` MODIFY \`${c}\` CHAR(18) CHARACTER SET ${charset} ${n === 'YES' ? 'NULL' : 'NOT NULL'}`));
  return columns.length;
}

/** The tables filled above, each department's (1,500 rows and more: big enough for the optimiser to prefer an index). */
const FILLED = { CIVIL_AFFAIRS: getTableName(civilAffairsScenario.tables.temporaryAid.table), DISABILITY: getTableName(disabilityScenario.tables.certificates.table) };

let dbs: TestDatabases;
let hub: TestHub;
let householdId: number;
const ref: Record<string, string> = {};

beforeAll(async () => {
  dbs = await createTestDatabases('id_number_charset');
  await insertRegions(dbs);
  householdId = await insertHeadAndSon(dbs, { registrationNo: 'F-CS-1', address: '古槐街道 CS', head: HEAD, son: MEMBER });
  // Civil affairs: every person-key column latin1; the disability federation's: GBK.
  expect(await declare(dbs.sources.CIVIL_AFFAIRS, ['id_no', 'head_id_no', 'child_id_no'], 'latin1')).toBeGreaterThanOrEqual(5);
  expect(await declare(dbs.sources.DISABILITY, ['id_card'], 'gbk')).toBe(1);
  // Two temporary aids for illness in the household within 12 months (X5): the member's under the old number, in ASCII.
  [ref.member] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo: OLD, causeCode: '01', grantDate: '2026-01-10', amountFen: 200_000, approvalLevel: 1 }]);
  [ref.head] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo: HEAD, causeCode: '01', grantDate: '2026-02-20', amountFen: 150_000, approvalLevel: 1 }]);
  // A level-1 certificate under the member's number in full-width digits, and no nursing subsidy (M1).
  await disabilityScenario.insert(dbs.sources.DISABILITY, 'certificates', [{ certNo: `${MEMBER}41`, idCard: fullWidth(MEMBER), disType: 4, disLevel: 1, issueDate: '2020-05-01', certStatus: 1 }]);
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', OTHERS.map((idNo, i) => ({ idNo, causeCode: '01', grantDate: '2025-06-01', amountFen: 1_000 + i, approvalLevel: 1 })));
  await disabilityScenario.insert(dbs.sources.DISABILITY, 'certificates', OTHERS.map((idCard, i) => ({ certNo: `${idCard.slice(0, 14)}${String(i).padStart(4, '0')}`, idCard, disType: 2, disLevel: 3, issueDate: '2019-01-01', certStatus: 1 })));
  for (const [code, table] of Object.entries(FILLED)) await dbs.sourceSet[code as DepartmentCode].pool.query(`ANALYZE TABLE ${table}`);
  hub = await startTestHub(dbs, { today: TODAY });
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const sorted = (...refs: string[]) => [...refs].sort();
const HOUSEHOLD = `query($id: ID!) { household(id: $id) { aid { department { code } sourceReference beneficiary { idNumber } } aidSummary { complete } findings { rule { id } people { idNumber } records { sourceReference } } } }`;

it('the household: the latin1 department read (the old number’s grant under the member), the GBK one’s full-width certificate, complete; X5 and M1', async () => {
  const counts: Record<string, number>[] = [];
  for (const run of [1, 2]) {
    const res = await hub.gql(HOUSEHOLD, { id: String(householdId) });
    expect(res.errors).toBeUndefined();
    const civil = res.data.household.aid.filter((a: any) => a.department.code === 'CIVIL_AFFAIRS');
    expect(civil.map((a: any) => [a.sourceReference, a.beneficiary?.idNumber]).sort()).toEqual([[ref.head, HEAD], [ref.member, MEMBER]].sort());
    expect(res.data.household.aidSummary.complete).toBe(true);
    const found = res.data.household.findings.map((f: any) => ({ rule: f.rule.id, people: f.people.map((p: any) => p.idNumber).sort(), records: f.records.map((r: any) => r.sourceReference).sort() }));
    expect(found).toContainEqual({ rule: 'X5', people: [HEAD, MEMBER].sort(), records: sorted(ref.member, ref.head) });
    expect(found).toContainEqual({ rule: 'M1', people: [MEMBER], records: [] });
    counts.push(res.extensions?.sqlStatements?.bySource as Record<string, number>);
  }
  // The latin1 department refused the first statement once (every form) and was asked again without
  // the full-width forms; the second time only those, in as many statements as every other department.
  const [first, second] = counts;
  expect(first).toEqual({ ...second, CIVIL_AFFAIRS: second.CIVIL_AFFAIRS + 1, HUB: first.HUB });
  expect(second.CIVIL_AFFAIRS).toBe(1);
});

it('a pre-grant check sees the member’s grant in the latin1 department, complete and not clear', async () => {
  const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(`query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear complete findings { rule { id } records { sourceReference } } } }`, {
    input: { beneficiaryIdNumber: HEAD, programme: 'TEMP_AID', grantDate: TODAY, cause: 'ILLNESS', amountFen: 100_000 },
  });
  expect(res.errors).toBeUndefined();
  expect(res.data.preGrantCheck).toMatchObject({ clear: false, complete: true });
  expect(res.data.preGrantCheck.findings.filter((f: any) => f.rule.id === 'X5').map((f: any) => f.records.map((r: any) => r.sourceReference).sort())).toEqual([sorted('PROPOSED', ref.member, ref.head)]);
});

it('a scan of the county finds X5 and M1 for the household', async () => {
  const found = await scanFindings(hub, '370811');
  expect(found).toContainEqual({ rule: 'X5', household: householdId, records: sorted(ref.member, ref.head) });
  expect(found).toContainEqual({ rule: 'M1', household: householdId, records: [] });
}, 120_000);

it('monitoring’s change feeds read both departments’ rows under the member as the hub keys them', async () => {
  const grants = polledFeeds('CIVIL_AFFAIRS').find((f) => f.marker.kind === 'SEQUENCE' && f.table === civilAffairsScenario.tables.temporaryAid.table)!;
  expect((await rowsAfter(dbs.sources.CIVIL_AFFAIRS, grants, { mark: 0, rowKey: null }, 2)).rows.map((r) => r.idNumber)).toEqual([MEMBER, HEAD]);
  const certificates = polledFeeds('DISABILITY').find((f) => f.table === disabilityScenario.tables.certificates.table);
  if (certificates && certificates.marker.kind === 'SEQUENCE') expect((await rowsAfter(dbs.sources.DISABILITY, certificates, { mark: 0, rowKey: null }, 1)).rows.map((r) => r.idNumber)).toEqual([MEMBER]);
});

/** A table read through an index (EXPLAIN's access type), not from start to end (ALL, index). */
const INDEXED = /^\w+ \((ref|range|eq_ref), \w+\)$/;

const capturing = (code: DepartmentCode) => capturingStatements(dbs.sourceSet[code].pool);

/**
 * Each statement's plan: the refusal's error code, or how it reads the department's filled table
 * (`FILLED`): `ref`, `range` through an index; `ALL`, `index` from start to end. The other tables
 * hold a row or none, which the optimiser rightly scans.
 */
async function plans(code: 'CIVIL_AFFAIRS' | 'DISABILITY', statements: Captured[]): Promise<(string | string[])[]> {
  const out: (string | string[])[] = [];
  for (const s of statements) {
    try {
      const [plan] = await dbs.sourceSet[code].pool.query<mysql.RowDataPacket[]>(`${EXPLAIN_ROWS} ${s.sql}`, s.params);
      out.push(plan.filter((step) => step.table === FILLED[code]).map((step) => `${step.table} (${step.type}${step.key ? `, ${step.key}` : ''})`));
    } catch (err) {
      out.push(String((err as { code?: string }).code));
    }
  }
  return out;
}

it('each statement reads through an index: the latin1 department’s ASCII forms, the GBK one’s with the full-width ones', async () => {
  const ids = [HEAD, MEMBER];
  const civil = capturing('CIVIL_AFFAIRS');
  const aid = await ADAPTERS.CIVIL_AFFAIRS.aidByIdNumbers(civil.db, ids, TODAY);
  expect(new Set(aid.map((r) => r.beneficiaryIdNumber))).toEqual(new Set([HEAD, MEMBER]));
  // The statement with every form refused, the same asked again without the full-width ones (and
  // with the old number, in ASCII), through the grants' index. Refused as MariaDB refuses it, or as
  // MySQL 9.7 does (federation/id-numbers.ts isCollationMix).
  expect(await plans('CIVIL_AFFAIRS', civil.statements)).toEqual([expect.stringMatching(/^(ER_CANT_AGGREGATE_NCOLLATIONS|ER_CANNOT_CONVERT_STRING)$/), [expect.stringMatching(INDEXED)]]);
  expect(civil.statements[1].params.flat().filter((p) => typeof p === 'string' && /[^\x00-\x7f]/.test(p))).toEqual([]);
  expect(civil.statements[1].params.flat()).toContain(OLD);
  // Then, on the same handle, only those: one statement, through the index.
  civil.statements.length = 0;
  await ADAPTERS.CIVIL_AFFAIRS.aidByIdNumbers(civil.db, ids, TODAY);
  expect(await plans('CIVIL_AFFAIRS', civil.statements)).toEqual([[expect.stringMatching(INDEXED)]]);

  // The GBK column is asked the full-width forms as they are, through its index, and finds the certificate.
  const disability = capturing('DISABILITY');
  const certificates = await factProvider('certificates').reader.byIdNumbers(disability.db, ids);
  expect(certificates.map((c) => c.idNumber)).toEqual([MEMBER]);
  expect(disability.statements.flatMap((s) => s.params.flat())).toContain(fullWidth(MEMBER));
  expect(await plans('DISABILITY', disability.statements)).toEqual([[expect.stringMatching(INDEXED)]]);
});
