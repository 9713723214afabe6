/**
 * A hospital stay's settlement reference as another department wrote it (federation/settlement-refs.ts,
 * README "References held by departments"): the union's illness grant for the patient's son, in his
 * own household, names the stay `SETL-REF-1` with a trailing space or in lower case.
 *
 * MariaDB's default collation is PAD SPACE and case-insensitive: `setl_ref IN ('SETL-REF-1')` returned
 * the grant, and the hub, grouping what came back by the exact string, dropped it. MySQL 8's default
 * (`utf8mb4_0900_ai_ci`) is NO PAD, TiDB's (`utf8mb4_bin`) case-sensitive: there the grant did not
 * come back at all (emulated here on MariaDB by the column's collation). Either way X7 added up the
 * stay's aid without the son's 3,500 yuan and the check answered clear and complete.
 *
 * A reference the server takes for the stay and the hub cannot (an accented letter, which
 * `utf8mb4_general_ci` equates with the plain one) is not dropped either: the union is reported
 * UNREADABLE_ROWS, the check incomplete.
 *
 * Through a real hub over real department databases: the pre-grant check of one more grant for the
 * stay (from the son, and the patient's medical aid), the household's findings and a region scan.
 */
import { sql } from 'drizzle-orm';
import { household, householdMember, person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { healthScenario } from '../federation/health/scenario';
import { unionScenario } from '../federation/union/scenario';
import { createTestDatabases, withServerCollations, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { scanToEnd } from './support/scan';
import { insertRegions, TODAY } from './support/scenarios';

const VILLAGE = '370811001001';
const SETL = 'SETL-REF-1';
const PATIENT = makeIdNumber('370811', '1958-03-03', 51);
const SON = makeIdNumber('370811', '1985-04-04', 53);
// Burden: 3,000 out of pocket + 2,000 medical aid inside the settlement = 5,000 yuan; the son's
// grant of 3,500 brings the aid to 5,500, 500 over; a proposed 100 more to 5,600.
const BURDEN_FEN = 500_000;
const GRANT_FEN = 350_000;
const PROPOSED_FEN = 10_000;

interface Writing {
  /** The grant's settlement reference as the union wrote it. */
  setlRef: string;
  /** The column as the union's server declares it, where not the default (MariaDB's: case-insensitive, PAD SPACE). */
  column?: string;
}

const WRITINGS: [string, Writing][] = [
  ['a trailing space, PAD SPACE column (MariaDB’s default)', { setlRef: `${SETL} ` }],
  ['a trailing space, NO PAD column (as MySQL 8’s default)', { setlRef: `${SETL} `, column: 'VARCHAR(30) CHARACTER SET utf8mb4 COLLATE {utf8mb4_general_nopad_ci|utf8mb4_0900_ai_ci}' }],
  ['lower case, case-insensitive column (the default)', { setlRef: SETL.toLowerCase() }],
  ['lower case, binary column (as TiDB’s default)', { setlRef: SETL.toLowerCase(), column: 'VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin' }],
];

const CHECK = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear complete settlementUnknown findings { rule { id } records { beneficiary { idNumber } } measure { __typename ... on SettlementExcess { settlementReference burdenFen aidFen } } } } }`;

async function setUp(label: string, writing: Writing): Promise<{ dbs: TestDatabases; hub: TestHub; householdA: number }> {
  const dbs = await createTestDatabases(`setl_ref_${label}`);
  await insertRegions(dbs);
  const households: number[] = [];
  for (const [no, who] of [['F-SR-A', { idNumber: PATIENT, name: '甲', gender: 'M' as const, birthDate: '1958-03-03' }], ['F-SR-B', { idNumber: SON, name: '乙', gender: 'M' as const, birthDate: '1985-04-04' }]] as const) {
    const [res] = await dbs.hub.insert(household).values({ registrationNo: no, regionCode: VILLAGE, address: `古槐街道 ${no}` });
    await dbs.hub.insert(person).values({ ...who, deathDate: null });
    await dbs.hub.insert(householdMember).values({ householdId: res.insertId, idNumber: who.idNumber, relation: 'HEAD', joinedOn: '2000-01-01' });
    households.push(res.insertId);
  }
  const s = dbs.sources;
  await healthScenario.insert(s.HEALTH, 'settlements', [
    { setlId: SETL, psnCertNo: PATIENT, fixmedinsName: '任城区人民医院', admDate: '2026-01-02', dscgDate: '2026-01-09', setlDate: '2026-01-09', diseName: '脑梗死', medfeeSumamt: '20000.00', hifpPay: '12000.00', hifmiPay: '3000.00', mafPay: '2000.00', psnPay: '3000.00' },
  ]);
  if (writing.column) await s.UNION.execute(sql.raw(`ALTER TABLE \`${unionScenario.tableName('grants')}\` MODIFY setl_ref ${await withServerCollations(s.UNION, writing.column)}`));
  await unionScenario.insert(s.UNION, 'workerFiles', { fileNo: 'GH-SR', idCard: SON, employer: '济宁机床厂', hardshipLevel: 2, fileDate: '2024-01-01' });
  await unionScenario.insert(s.UNION, 'grants', [{ fileNo: 'GH-SR', grantType: 'DB', grantDate: '2026-02-01', amountFen: GRANT_FEN, setlRef: writing.setlRef }]);
  const hub = await startTestHub(dbs, { today: TODAY });
  return { dbs, hub, householdA: households[0] };
}

describe.each(WRITINGS)('the union’s grant naming the stay with %s', (label, writing) => {
  let dbs: TestDatabases;
  let hub: TestHub;
  let householdA: number;

  beforeAll(async () => {
    ({ dbs, hub, householdA } = await setUp(label.replace(/[^a-z]/gi, '').slice(0, 12), writing));
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  // The patient's medical aid (from the stay itself) and the son's own illness grant (his aid names the stay, and it is read by the stay).
  it.each([
    ['the patient’s medical aid', PATIENT, 'MEDICAL_AID'],
    ['the son’s illness aid', SON, 'UNION_ILLNESS'],
  ])('a pre-grant check of %s on the stay counts the grant (X7)', async (_, beneficiaryIdNumber, programme) => {
    // The clerk types the reference in lower case: the hub keys it as medical insurance's `SETL-REF-1`.
    for (const settlementReference of [SETL, SETL.toLowerCase()]) {
      const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { beneficiaryIdNumber, programme, grantDate: TODAY, amountFen: PROPOSED_FEN, settlementReference } });
      expect(res.errors).toBeUndefined();
      const check = res.data.preGrantCheck;
      expect(check).toMatchObject({ clear: false, complete: true, settlementUnknown: false });
      const x7 = check.findings.filter((f: any) => f.rule.id === 'X7');
      expect(x7).toHaveLength(1);
      expect(x7[0].measure).toEqual({ __typename: 'SettlementExcess', settlementReference: SETL, burdenFen: BURDEN_FEN, aidFen: 200_000 + GRANT_FEN + PROPOSED_FEN });
      expect(x7[0].records.map((r: any) => r.beneficiary.idNumber)).toContain(SON);
    }
  });

  it('the patient’s household reports X7 with the grant, and so does a region scan', async () => {
    const res = await hub.gql(`query($id: ID!) { household(id: $id) { findings { rule { id } measure { ... on SettlementExcess { settlementReference aidFen } } } } }`, { id: String(householdA) });
    expect(res.errors).toBeUndefined();
    expect(res.data.household.findings.filter((f: any) => f.rule.id === 'X7')).toEqual([{ rule: { id: 'X7' }, measure: { settlementReference: SETL, aidFen: 200_000 + GRANT_FEN } }]);
    const scan = await scanToEnd(hub, '370811', 'rule { id } household { id }');
    expect(scan.findings.edges.map((e: any) => e.node).filter((n: any) => n.rule.id === 'X7')).toEqual([{ rule: { id: 'X7' }, household: { id: String(householdA) } }]);
  });
});

describe('a reference the union’s server equates with the stay and the hub does not', () => {
  let dbs: TestDatabases;
  let hub: TestHub;

  beforeAll(async () => {
    // `utf8mb4_general_ci` (the union's column here) takes É for E: the row comes back for `SETL-REF-1`.
    ({ dbs, hub } = await setUp('accent', { setlRef: 'SÉTL-REF-1', column: 'VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci' }));
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  it('is reported: the union UNREADABLE_ROWS and the check incomplete, not the grant dropped and the check clear', async () => {
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { beneficiaryIdNumber: PATIENT, programme: 'MEDICAL_AID', grantDate: TODAY, amountFen: PROPOSED_FEN, settlementReference: SETL } });
    expect(res.data.preGrantCheck).toMatchObject({ clear: false, complete: false });
    expect(res.errors?.map((e: any) => [e.extensions.code, e.extensions.department, e.extensions.reason])).toEqual([['DEPARTMENT_UNAVAILABLE', 'UNION', 'UNREADABLE_ROWS']]);
  });
});
