/**
 * A member's ID number as a department's clerk or system wrote it (federation/id-numbers.ts): the
 * hub keys the member by `…X`, and civil affairs' temporary aid and the disability federation's
 * certificate hold it otherwise.
 *
 * Written `x`: civil affairs' column has MariaDB's default case-insensitive collation, so
 * `IN ('…X')` matched the row and it came back as `…x`, which no in-memory join then matched: the
 * grant was missing from the household's aid, from X5 (a repeated grant unseen) and from the
 * pre-grant check. The disability federation's column is declared binary here, as TiDB's default
 * collation is: `…X` did not match `…x` at all, and the level-1 certificate's missed nursing subsidy
 * (M1) went unreported.
 *
 * Written with a space (a clerk's stray keystroke, a pasted spreadsheet cell): ` 370811…` in civil
 * affairs (a leading space matches under no collation) and `…X ` in a NO PAD column
 * (`utf8mb4_nopad_bin`, MySQL's `utf8mb4_0900_bin`; MySQL 8's default `utf8mb4_0900_ai_ci` is NO PAD, so a trailing space
 * matches nothing either). Both records were left out in the same way, and the household and the
 * pre-grant check still answered `complete: true`: a duplicate grant answered clear.
 *
 * Written otherwise than any collation matches (domain/id-number.ts `otherWrittenForms`): under the
 * first-generation 15-digit number (GB 11643-1989: address code, yymmdd with the century 19
 * implied, sequence, no check character), as elderly people's old records hold it; in full-width
 * digits (`３７０８…Ｘ`, `…ｘ`), typed with a Chinese input method left in full-width mode; or both.
 * No form of these was asked for, and the rows a scan or a change feed read named someone the hub
 * does not know: the same records were missing in the same way.
 *
 * Through a real hub over real department databases: the household, its findings, a pre-grant
 * check, a county scan, the scan's person keys and monitoring's change feed; and what an officer
 * typing the old number is answered.
 */
import { sql } from 'drizzle-orm';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES } from '../domain/departments';
import { fullWidth, makeIdNumber, oldIdNumberOf } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { disabilityScenario } from '../federation/disability/scenario';
import { polledFeeds, rowsAfter } from '../federation/change-feed';
import { peopleKnownTo } from '../federation/person-keys';
import { createTestDatabases, withServerCollations, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { scanFindings } from './support/scan';
import { insertHeadAndSon, insertRegions, TODAY } from './support/scenarios';

const HEAD = makeIdNumber('370811', '1966-03-03', 311);
/** The first sequence whose check character is X. */
const MEMBER = Array.from({ length: 200 }, (_, i) => makeIdNumber('370811', '1991-08-08', 100 + i)).find((id) => id.endsWith('X'))!;
const LOWER = `${MEMBER.slice(0, 17)}x`;
/** The member's first-generation number: the century and the check character left out. */
const OLD = oldIdNumberOf(MEMBER)!;
const BINARY = 'CHAR(18) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';

interface Writing {
  /** The member's ID number in civil affairs' temporary aid, and the column's type if the department widened it. */
  grant: string;
  grantColumn?: string;
  /** The member's ID number on the disability certificate, and the column's type and collation. */
  certificate: string;
  certificateColumn: string;
}

const WRITINGS: [string, Writing][] = [
  ['a lower-case x', { grant: LOWER, certificate: LOWER, certificateColumn: BINARY }],
  ['a space before it, and after it in a NO PAD column', { grant: ` ${MEMBER}`, grantColumn: 'VARCHAR(24)', certificate: `${MEMBER} `, certificateColumn: 'VARCHAR(24) CHARACTER SET utf8mb4 COLLATE {utf8mb4_nopad_bin|utf8mb4_0900_bin}' }],
  ['the old 15-digit number', { grant: OLD, certificate: OLD, certificateColumn: BINARY }],
  ['full-width digits', { grant: fullWidth(MEMBER), certificate: fullWidth(LOWER), certificateColumn: BINARY }],
  ['the old number in full-width digits', { grant: fullWidth(OLD), certificate: fullWidth(OLD), certificateColumn: BINARY }],
];

const sorted = (...refs: string[]) => [...refs].sort();

describe.each(WRITINGS)('the member’s ID number written with %s', (label, writing) => {
  let dbs: TestDatabases;
  let hub: TestHub;
  let householdId: number;
  const ref: Record<string, string> = {};

  beforeAll(async () => {
    dbs = await createTestDatabases(`id_number_${WRITINGS.findIndex(([l]) => l === label)}`);
    await insertRegions(dbs);
    householdId = await insertHeadAndSon(dbs, { registrationNo: 'F-IDX-1', address: '古槐街道 IDX', head: HEAD, son: MEMBER });
    // The departments' own columns, as their systems declare and write them.
    if (writing.grantColumn) await dbs.sources.CIVIL_AFFAIRS.execute(sql.raw(`ALTER TABLE \`${civilAffairsScenario.tableName('temporaryAid')}\` MODIFY id_no ${writing.grantColumn} NOT NULL`));
    const certificateColumn = await withServerCollations(dbs.sources.DISABILITY, writing.certificateColumn);
    await dbs.sources.DISABILITY.execute(sql.raw(`ALTER TABLE \`${disabilityScenario.tableName('certificates')}\` MODIFY id_card ${certificateColumn} NOT NULL`));
    // Two temporary aids for illness in the household within 12 months (X5), the member's as written.
    [ref.member] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo: writing.grant, causeCode: '01', grantDate: '2026-01-10', amountFen: 200_000, approvalLevel: 1 }]);
    [ref.head] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo: HEAD, causeCode: '01', grantDate: '2026-02-20', amountFen: 150_000, approvalLevel: 1 }]);
    // A level-1 certificate, as written, and no nursing subsidy (M1).
    await disabilityScenario.insert(dbs.sources.DISABILITY, 'certificates', [{ certNo: `${LOWER}41`, idCard: writing.certificate, disType: 4, disLevel: 1, issueDate: '2020-05-01', certStatus: 1 }]);
    hub = await startTestHub(dbs, { today: TODAY });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  it('the household’s aid holds the grant as written, under the member, complete, each department still read in one statement', async () => {
    const res = await hub.gql(`query($id: ID!) { household(id: $id) { aid { department { code } sourceReference beneficiary { idNumber } } aidSummary { complete } } }`, { id: String(householdId) });
    expect(res.errors).toBeUndefined();
    const civil = res.data.household.aid.filter((a: any) => a.department.code === 'CIVIL_AFFAIRS');
    expect(civil.map((a: any) => [a.sourceReference, a.beneficiary?.idNumber]).sort()).toEqual([[ref.head, HEAD], [ref.member, MEMBER]].sort());
    expect(res.data.household.aidSummary.complete).toBe(true);
    // Asking for the other forms too lengthens the IN list, not the statement count (test/household.test.ts).
    expect(res.extensions?.sqlStatements?.bySource).toEqual(Object.fromEntries([['HUB', 1], ...DEPARTMENT_CODES.filter((code) => !HUB_LEDGER_SOURCES.includes(code)).map((code) => [code, 1])]));
  });

  it('the household’s findings: X5 with both grants, and M1 for the certificate', async () => {
    const res = await hub.gql(`query($id: ID!) { household(id: $id) { findings { rule { id } people { idNumber } records { sourceReference } } } }`, { id: String(householdId) });
    expect(res.errors).toBeUndefined();
    const found = res.data.household.findings.map((f: any) => ({ rule: f.rule.id, people: f.people.map((p: any) => p.idNumber).sort(), records: f.records.map((r: any) => r.sourceReference).sort() }));
    expect(found).toContainEqual({ rule: 'X5', people: [HEAD, MEMBER].sort(), records: sorted(ref.member, ref.head) });
    expect(found).toContainEqual({ rule: 'M1', people: [MEMBER], records: [] });
  });

  it('a pre-grant check sees the member’s grant, and is not clear', async () => {
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(`query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear complete findings { rule { id } records { sourceReference } } } }`, {
      input: { beneficiaryIdNumber: HEAD, programme: 'TEMP_AID', grantDate: TODAY, cause: 'ILLNESS', amountFen: 100_000 },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toMatchObject({ clear: false, complete: true });
    const x5 = res.data.preGrantCheck.findings.filter((f: any) => f.rule.id === 'X5').map((f: any) => f.records.map((r: any) => r.sourceReference).sort());
    expect(x5).toEqual([sorted('PROPOSED', ref.member, ref.head)]);
  });

  it('a scan of the county finds X5 and M1 for the household', async () => {
    const found = await scanFindings(hub, '370811');
    expect(found).toContainEqual({ rule: 'X5', household: householdId, records: sorted(ref.member, ref.head) });
    expect(found).toContainEqual({ rule: 'M1', household: householdId, records: [] });
  }, 120_000);

  it('the scan’s person keys name the member as the hub keys them, and keep the spelling as stored', async () => {
    const writings = new Map<string, string[]>();
    expect(await peopleKnownTo(dbs.sourceSet, 'CIVIL_AFFAIRS', writings)).toEqual(new Set([MEMBER, HEAD]));
    // What the scan then asks of that department beside the key (federation/id-numbers.ts `OtherWritings`):
    // every spelling other than the key, a lower-case x and a space included (Session 43), the head's none.
    expect(writings).toEqual(new Map([[MEMBER, [writing.grant]]]));
    expect(await peopleKnownTo(dbs.sourceSet, 'DISABILITY')).toEqual(new Set([MEMBER]));
  });

  it('monitoring’s change feed names the member as the hub keys them', async () => {
    const feed = polledFeeds('CIVIL_AFFAIRS').find((f) => f.marker.kind === 'SEQUENCE' && f.table === civilAffairsScenario.tables.temporaryAid.table)!;
    const read = await rowsAfter(dbs.sources.CIVIL_AFFAIRS, feed, { mark: 0, rowKey: null }, 100);
    expect(read.rows.map((r) => r.idNumber)).toEqual([MEMBER, HEAD]);
  });

  it('a caller’s ID number as a clerk typed it (full-width digits and Ｘ, spaces between the groups) finds the same household and the same conflict', async () => {
    const fullWidth = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    for (const typed of [fullWidth(MEMBER), `${MEMBER.slice(0, 6)} ${MEMBER.slice(6, 14)} ${MEMBER.slice(14)}`]) {
      const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(`query($id: String!, $input: PreGrantCheckInput!) { householdByMember(idNumber: $id) { id } preGrantCheck(input: $input) { findings { rule { id } } } }`, {
        id: typed,
        input: { beneficiaryIdNumber: typed, programme: 'TEMP_AID', grantDate: TODAY, cause: 'ILLNESS', amountFen: 100_000 },
      });
      expect(res.errors).toBeUndefined();
      expect(res.data.householdByMember.id).toBe(String(householdId));
      expect(res.data.preGrantCheck.findings.map((f: any) => f.rule.id)).toContain('X5');
    }
  });

  it('an officer typing the member’s old 15-digit number, full-width or not, is refused with LENGTH, naming no digit', async () => {
    for (const typed of [OLD, fullWidth(OLD)]) {
      const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(`query($id: String!) { householdByMember(idNumber: $id) { id } }`, { id: typed });
      expect(res.errors?.map((e: any) => [e.extensions.code, e.extensions.reason])).toEqual([['BAD_USER_INPUT', 'LENGTH']]);
      expect(res.errors?.[0].message).toContain('old 15-digit');
      expect(res.errors?.[0].message).not.toMatch(/\d{6}/);
    }
  });
});
