/**
 * M2 (DOMAIN: a disabled member of a 低保 household with no 生活补贴) does not ask for the living
 * subsidy for a member the 孤儿 allowance or 特困 support already keeps: X3 (DOMAIN: 困难残疾人生活补贴
 * together with 孤儿 allowance or 特困 support for the same person is a conflict) forbids it beside
 * them (国发〔2015〕52号). Without that, a disabled orphan living with a grandmother on 低保 was
 * reported as missed aid, and granting what the finding asked for raised X3. A disabled member on
 * neither is still M2. Through a real hub over real department databases.
 */
import { makeIdNumber } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { disabilityScenario } from '../federation/disability/scenario';
import { addHousehold } from './findings-scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const GRANDMOTHER = makeIdNumber('370811', '1955-05-05', 22);
const ORPHAN = makeIdNumber('370811', '2014-06-06', 13);
const HEAD = makeIdNumber('370811', '1960-07-07', 31);
const UNCLE = makeIdNumber('370811', '1962-08-08', 45);
const MOTHER = makeIdNumber('370811', '1975-09-09', 24);
const SON = makeIdNumber('370811', '2012-10-10', 57);

const FINDINGS = `query($id: String!) { person(idNumber: $id) { findings { rule { id } } } }`;
const CHECK = `query($in: PreGrantCheckInput!) { preGrantCheck(input: $in) { clear findings { rule { id } } } }`;

let dbs: TestDatabases;
let hub: TestHub;

async function dibao(familyNo: string, head: string): Promise<void> {
  const s = dbs.sources.CIVIL_AFFAIRS;
  await civilAffairsScenario.insert(s, 'dibaoFamilies', [{ familyNo, countyCode: '370811', headIdNo: head, areaType: 1, approvedOn: '2024-01-01' }]);
  await civilAffairsScenario.insert(s, 'dibaoMembers', [{ familyNo, idNo: head, relationToHead: '本人', joinedOn: '2024-01-01', monthlyShareFen: 70_000 }]);
}

async function certificate(idNumber: string): Promise<void> {
  // Level 3: not severe, so M1 (nursing subsidy) stays out of it.
  await disabilityScenario.insert(dbs.sources.DISABILITY, 'certificates', [{ certNo: `${idNumber}43`, idCard: idNumber, disType: 4, disLevel: 3, issueDate: '2022-01-01' }]);
}

beforeAll(async () => {
  dbs = await createTestDatabases('m2_replaced_aid');
  await insertRegions(dbs);
  // A disabled orphan raised by a grandmother on 低保, on the orphan allowance.
  await addHousehold(dbs, 'F-M2-ORPHAN', [
    { idNumber: GRANDMOTHER, name: '甲', gender: 'F', birthDate: '1955-05-05' },
    { idNumber: ORPHAN, name: '乙', gender: 'M', birthDate: '2014-06-06' },
  ]);
  await dibao('DBF-M2-ORPHAN', GRANDMOTHER);
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'childAllowances', [{ childIdNo: ORPHAN, category: 'GE', startOn: '2025-01-01', monthlyFen: 150_000 }]);
  await certificate(ORPHAN);
  // A disabled brother on 特困 support, in the household of his brother on 低保.
  await addHousehold(dbs, 'F-M2-TEKUN', [
    { idNumber: HEAD, name: '丙', gender: 'M', birthDate: '1960-07-07' },
    { idNumber: UNCLE, name: '丁', gender: 'M', birthDate: '1962-08-08' },
  ]);
  await dibao('DBF-M2-TEKUN', HEAD);
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'tekun', [{ idNo: UNCLE, countyCode: '370811', careMode: 1, startOn: '2024-06-01', monthlyFen: 110_000 }]);
  await certificate(UNCLE);
  // The near miss: a disabled son on neither, in a 低保 household.
  await addHousehold(dbs, 'F-M2-OWED', [
    { idNumber: MOTHER, name: '戊', gender: 'F', birthDate: '1975-09-09' },
    { idNumber: SON, name: '己', gender: 'M', birthDate: '2012-10-10' },
  ]);
  await dibao('DBF-M2-OWED', MOTHER);
  await certificate(SON);
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function ruleIds(id: string): Promise<string[]> {
  const res = await hub.gql(FINDINGS, { id });
  expect(res.errors).toBeUndefined();
  return res.data.person.findings.map((f: { rule: { id: string } }) => f.rule.id).sort();
}

test('a disabled member on the orphan allowance or 特困 support is not owed the living subsidy (no M2)', async () => {
  expect(await ruleIds(ORPHAN)).not.toContain('M2');
  expect(await ruleIds(UNCLE)).not.toContain('M2');
});

test('a disabled member of a 低保 household on neither is M2', async () => {
  expect(await ruleIds(SON)).toEqual(['M2']);
});

test('what M2 would have asked for is X3 beside the orphan allowance and 特困 support', async () => {
  for (const id of [ORPHAN, UNCLE]) {
    const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: id, programme: 'DISABILITY_LIVING', periodStart: '2026-04-01', amountFen: 10_000 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toMatchObject({ clear: false, findings: [{ rule: { id: 'X3' } }] });
  }
});
