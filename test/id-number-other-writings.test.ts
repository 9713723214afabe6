/**
 * A member's ID number as an old department record or a clerk's input method holds it
 * (domain/id-number.ts `otherWrittenForms`, federation/id-numbers.ts): the hub keys the member by
 * the 18-digit `…X`, and civil affairs' temporary aid and the disability federation's certificate
 * hold them otherwise:
 *
 * - under the first-generation 15-digit number (GB 11643-1989: address code, yymmdd with the
 *   century 19 implied, sequence, no check character), as elderly people's old records do;
 * - in full-width digits (`３７０８…Ｘ`, `…ｘ`), typed with a Chinese input method left in
 *   full-width mode;
 * - both at once.
 *
 * No form of these was asked for: the grant was missing from the household's aid, from X5 and
 * from the pre-grant check, which still answered `complete: true`, and the level-1 certificate's
 * missed nursing subsidy (M1) went unreported; the scan's person keys and monitoring's change feed
 * named someone the hub does not know. The certificate's column is binary (TiDB's default
 * collation), so no collation matches a form for the hub.
 *
 * Through a real hub over real department databases: the household, its findings, a pre-grant
 * check, a county scan, the scan's person keys and monitoring's change feed; and what an officer
 * typing such a number is answered.
 */
import { sql } from 'drizzle-orm';
import { household, householdMember, person } from '../db/household/schema';
import { fullWidth, makeIdNumber, oldIdNumberOf } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { disabilityScenario } from '../federation/disability/scenario';
import { polledFeeds, rowsAfter } from '../federation/change-feed';
import { peopleKnownTo } from '../federation/person-keys';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { scanToEnd } from './support/scan';
import { insertRegions, TODAY } from './support/scenarios';

const VILLAGE = '370811001001';
const HEAD = makeIdNumber('370811', '1966-03-03', 311);
/** The first sequence whose check character is X: its old number has none. */
const MEMBER = Array.from({ length: 200 }, (_, i) => makeIdNumber('370811', '1951-08-08', 100 + i)).find((id) => id.endsWith('X'))!;
const OLD = oldIdNumberOf(MEMBER)!;

interface Writing {
  /** The member's ID number in civil affairs' temporary aid (MariaDB's default collation). */
  grant: string;
  /** The member's ID number on the disability certificate (a binary column). */
  certificate: string;
}

const WRITINGS: [string, Writing][] = [
  ['the old 15-digit number', { grant: OLD, certificate: OLD }],
  ['full-width digits', { grant: fullWidth(MEMBER), certificate: fullWidth(`${MEMBER.slice(0, 17)}x`) }],
  ['the old number in full-width digits', { grant: fullWidth(OLD), certificate: fullWidth(OLD) }],
];

const sorted = (...refs: string[]) => [...refs].sort();

it('derives the old number only for people born 1900–1999, and reads it back', () => {
  expect(OLD).toBe(`${MEMBER.slice(0, 6)}${MEMBER.slice(8, 17)}`);
  expect(oldIdNumberOf(makeIdNumber('370811', '2003-01-01', 12))).toBeNull();
  expect(oldIdNumberOf(makeIdNumber('370811', '1899-12-31', 12))).toBeNull();
});

describe.each(WRITINGS)('the member’s ID number written as %s', (label, writing) => {
  let dbs: TestDatabases;
  let hub: TestHub;
  let householdId: number;
  const ref: Record<string, string> = {};

  beforeAll(async () => {
    dbs = await createTestDatabases(`id_writing_${WRITINGS.findIndex(([l]) => l === label)}`);
    await insertRegions(dbs);
    const [res] = await dbs.hub.insert(household).values({ registrationNo: 'F-IDW-1', regionCode: VILLAGE, address: '古槐街道 IDW' });
    householdId = res.insertId;
    await dbs.hub.insert(person).values([
      { idNumber: HEAD, name: '甲', gender: 'M', birthDate: '1966-03-03', deathDate: null },
      { idNumber: MEMBER, name: '乙', gender: 'M', birthDate: '1951-08-08', deathDate: null },
    ]);
    await dbs.hub.insert(householdMember).values([
      { householdId, idNumber: HEAD, relation: 'HEAD', joinedOn: '2000-01-01' },
      { householdId, idNumber: MEMBER, relation: 'PARENT', joinedOn: '2000-01-01' },
    ]);
    await dbs.sources.DISABILITY.execute(sql.raw(`ALTER TABLE \`${disabilityScenario.tableName('certificates')}\` MODIFY id_card CHAR(18) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL`));
    // Two temporary aids for illness in the household within 12 months (X5), the member's as written.
    [ref.member] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo: writing.grant, causeCode: '01', grantDate: '2026-01-10', amountFen: 200_000, approvalLevel: 1 }]);
    [ref.head] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo: HEAD, causeCode: '01', grantDate: '2026-02-20', amountFen: 150_000, approvalLevel: 1 }]);
    // A level-1 certificate, as written, and no nursing subsidy (M1).
    await disabilityScenario.insert(dbs.sources.DISABILITY, 'certificates', [{ certNo: `${MEMBER}41`, idCard: writing.certificate, disType: 4, disLevel: 1, issueDate: '2020-05-01', certStatus: 1 }]);
    hub = await startTestHub(dbs, { today: TODAY });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  it('the household’s aid holds the grant under the member, complete', async () => {
    const res = await hub.gql(`query($id: ID!) { household(id: $id) { aid { department { code } sourceReference beneficiary { idNumber } } aidSummary { complete } } }`, { id: String(householdId) });
    expect(res.errors).toBeUndefined();
    const civil = res.data.household.aid.filter((a: any) => a.department.code === 'CIVIL_AFFAIRS');
    expect(civil.map((a: any) => [a.sourceReference, a.beneficiary?.idNumber]).sort()).toEqual([[ref.head, HEAD], [ref.member, MEMBER]].sort());
    expect(res.data.household.aidSummary.complete).toBe(true);
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
    const scan = await scanToEnd(hub, '370811', 'rule { id } household { id } records { sourceReference }');
    const found = scan.findings.edges.map((e: any) => ({ rule: e.node.rule.id, household: Number(e.node.household?.id), records: e.node.records.map((r: any) => r.sourceReference).sort() }));
    expect(found).toContainEqual({ rule: 'X5', household: householdId, records: sorted(ref.member, ref.head) });
    expect(found).toContainEqual({ rule: 'M1', household: householdId, records: [] });
  }, 120_000);

  it('the scan’s person keys name the member as the hub keys them, and keep the form as stored', async () => {
    const writings = new Map<string, string[]>();
    expect(await peopleKnownTo(dbs.sourceSet, 'CIVIL_AFFAIRS', writings)).toEqual(new Set([MEMBER, HEAD]));
    expect(writings).toEqual(new Map([[MEMBER, [writing.grant]]]));
    expect(await peopleKnownTo(dbs.sourceSet, 'DISABILITY')).toEqual(new Set([MEMBER]));
  });

  it('monitoring’s change feed names the member as the hub keys them', async () => {
    const feed = polledFeeds('CIVIL_AFFAIRS').find((f) => f.marker.kind === 'SEQUENCE' && f.table === civilAffairsScenario.tables.temporaryAid.table)!;
    const read = await rowsAfter(dbs.sources.CIVIL_AFFAIRS, feed, { mark: 0, rowKey: null }, 100);
    expect(read.rows.map((r) => r.idNumber)).toEqual([MEMBER, HEAD]);
  });

  it('an officer typing the member’s old 15-digit number is refused with LENGTH, full-width digits or not, naming no digit', async () => {
    for (const typed of [OLD, fullWidth(OLD)]) {
      const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(`query($id: String!) { householdByMember(idNumber: $id) { id } }`, { id: typed });
      expect(res.errors?.map((e: any) => [e.extensions.code, e.extensions.reason])).toEqual([['BAD_USER_INPUT', 'LENGTH']]);
      expect(res.errors?.[0].message).toContain('old 15-digit');
      expect(res.errors?.[0].message).not.toMatch(/\d{6}/);
    }
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(`query($id: String!) { householdByMember(idNumber: $id) { id } }`, { id: fullWidth(MEMBER) });
    expect(res.errors).toBeUndefined();
    expect(res.data.householdByMember.id).toBe(String(householdId));
  });
});
