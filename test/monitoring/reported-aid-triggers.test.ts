/**
 * Aid reported directly (aidReport, by an office with no front-end database of its own) is read by
 * the findings and the monitoring triggers as any department's: the ledger is a polled source, so a
 * 受灾人员过渡期生活救助 reported as running past its beneficiary's death opens T3 at the next poll,
 * and education aid a reporter gave (希望工程, 春蕾计划, 慈善助学) is education aid for M3 and for T6,
 * which reuses M3: a 低保 household's pupil funded by 共青团 this school year is not "without
 * education aid" (DOMAIN M3; X6's "students funded by other departments are not funded again").
 */
import { and, eq } from 'drizzle-orm';
import { monitoringAlert } from '../../db/monitoring/schema';
import { civilAffairsScenario } from '../../federation/civil-affairs/scenario';
import { educationScenario } from '../../federation/education/scenario';
import type { OfficeCode } from '../../domain/departments';
import { makeIdNumber } from '../../domain/id-number';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { MonitoringPoller } from '../../resolvers/monitoring/poller';
import { candidatesForHouseholds, type DetectDeps } from '../../resolvers/monitoring/detect';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, TODAY } from '../support/scenarios';
import { addHousehold } from '../findings-scenario';

jest.setTimeout(180_000);

const HEAD = makeIdNumber('370811', '1979-02-02', 61);
const PUPIL = makeIdNumber('370811', '2012-09-09', 62);
const MOTHER = makeIdNumber('370811', '1981-04-04', 64);
const DAUGHTER = makeIdNumber('370811', '2013-10-10', 66);
const DECEASED = makeIdNumber('370811', '1938-03-03', 63);

/** 10:00 in China on the scenario's day (a school year 2025-2026 day). */
const NOW = new Date(`${TODAY}T02:00:00.000Z`);

const REPORT = /* GraphQL */ `
  mutation($records: [ReportedAidInput!]!) {
    aidReport(input: { records: $records }) { recorded userErrors { index code field } }
  }
`;
const FINDINGS = /* GraphQL */ `
  query($id: String!) { person(idNumber: $id) { findings { rule { id } } } }
`;

let dbs: TestDatabases;
let hub: TestHub;
let deps: DetectDeps;
let poller: MonitoringPoller;
let pupilHousehold: number;
let daughterHousehold: number;

/** A 低保 family of two in 古槐街道: the head on 低保, a pupil on education's roll with no grant of its own. */
async function dibaoFamilyWithPupil(registrationNo: string, head: string, pupil: string, pupilBorn: string, n: number): Promise<number> {
  const id = await addHousehold(dbs, registrationNo, [
    { idNumber: head, name: '甲', gender: 'M', birthDate: '1979-02-02' },
    { idNumber: pupil, name: '乙', gender: 'F', birthDate: pupilBorn },
  ]);
  const familyNo = `DB370811-RT${n}`;
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'dibaoFamilies', [{ familyNo, countyCode: '370811', headIdNo: head, areaType: 1, approvedOn: '2024-01-01' }]);
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'dibaoMembers', [
    { familyNo, idNo: head, relationToHead: '本人', joinedOn: '2024-01-01', monthlyShareFen: 70_000 },
    { familyNo, idNo: pupil, relationToHead: '女', joinedOn: '2024-01-01', monthlyShareFen: 70_000 },
  ]);
  await educationScenario.insert(dbs.sources.EDUCATION, 'students', { studentNo: `S37081100RT${n}`, sfzh: pupil, schoolCode: '3708110017', schoolName: '济宁市第十三中学', stage: 'CZ', grade: 7, enrolYear: '2024' });
  return id;
}

const t6Of = async (householdId: number, subject: string) =>
  (await candidatesForHouseholds(deps, [householdId], TODAY)).filter((c) => c.triggerId === 'T6_STUDENT_NO_AID' && c.subjectIdNumber === subject);

async function findingRules(idNumber: string): Promise<string[]> {
  const res = await hub.gql(FINDINGS, { id: idNumber });
  expect(res.errors).toBeUndefined();
  return res.data.person.findings.map((f: { rule: { id: string } }) => f.rule.id).sort();
}

beforeAll(async () => {
  dbs = await createTestDatabases('reported_triggers');
  await insertRegions(dbs);
  pupilHousehold = await dibaoFamilyWithPupil('F-RT-1', HEAD, PUPIL, '2012-09-09', 1);
  daughterHousehold = await dibaoFamilyWithPupil('F-RT-2', MOTHER, DAUGHTER, '2013-10-10', 2);
  await addHousehold(dbs, 'F-RT-D', [{ idNumber: DECEASED, name: '丙', gender: 'M', birthDate: '1938-03-03', deathDate: '2026-01-20' }]);
  deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW };
  poller = new MonitoringPoller(deps, { intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null });
  // The first poll only sets the ledger's watermark.
  await poller.tick('REPORTED');
  hub = await startTestHub(dbs, { today: TODAY, client: { department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER'] } });
});

afterAll(async () => {
  await hub?.close();
  await poller?.stop();
  await dbs?.close();
});

async function reportAs(department: OfficeCode, records: unknown[]): Promise<void> {
  const c = await hub.createClient({ department, regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
  const res = await hub.as({ token: c.token, purpose: 'DUPLICATE_CHECK' }).gql(REPORT, { records });
  expect(res.errors).toBeUndefined();
  expect(res.data.aidReport).toEqual({ recorded: records.length, userErrors: [] });
}

it('counts 希望工程助学 reported by 共青团 as the pupil’s education aid this school year: no M3, no T6', async () => {
  // Before: the pupil of a 低保 household has no education aid this school year.
  expect(await findingRules(PUPIL)).toEqual(['M3']);
  expect(await t6Of(pupilHousehold, PUPIL)).toHaveLength(1);

  await reportAs('YOUTH_LEAGUE', [{ reference: 'HP-RT-0001', beneficiaryIdNumber: PUPIL, programme: 'HOPE_PROJECT', grantDate: '2026-03-01', amountFen: 100_000 }]);

  expect(await findingRules(PUPIL)).toEqual([]);
  expect(await t6Of(pupilHousehold, PUPIL)).toEqual([]);
  // The other family's pupil, funded by nobody, is still found.
  expect(await findingRules(DAUGHTER)).toEqual(['M3']);
  expect(await t6Of(daughterHousehold, DAUGHTER)).toHaveLength(1);
});

it('counts 春蕾计划 (妇联) the same, and not a grant of an earlier school year', async () => {
  await reportAs('WOMENS_FEDERATION', [{ reference: 'CL-RT-0001', beneficiaryIdNumber: DAUGHTER, programme: 'SPRING_BUD', grantDate: '2025-06-01', amountFen: 100_000 }]);
  expect(await findingRules(DAUGHTER)).toEqual(['M3']);
  await reportAs('WOMENS_FEDERATION', [{ reference: 'CL-RT-0002', beneficiaryIdNumber: DAUGHTER, programme: 'SPRING_BUD', grantDate: '2025-09-10', amountFen: 100_000 }]);
  expect(await findingRules(DAUGHTER)).toEqual([]);
  expect(await t6Of(daughterHousehold, DAUGHTER)).toEqual([]);
});

it('opens T3 at the ledger’s next poll for 受灾人员过渡期生活救助 reported as running past its beneficiary’s death', async () => {
  await reportAs('EMERGENCY_MANAGEMENT', [{ reference: 'DT-RT-0001', beneficiaryIdNumber: DECEASED, programme: 'DISASTER_TRANSITION', periodStart: '2025-12-01', amountFen: 60_000 }]);
  const tick = await poller.tick('REPORTED');
  expect(tick).toMatchObject({ polled: true, alertsChanged: 1 });
  const alerts = await dbs.hub.select().from(monitoringAlert).where(and(eq(monitoringAlert.subjectIdNumber, DECEASED), eq(monitoringAlert.triggerId, 'T3_DEATH_ON_ROLL')));
  expect(alerts).toHaveLength(1);
  expect(JSON.parse(alerts[0].evidenceRefs)).toEqual([expect.stringMatching(/^EMERGENCY_MANAGEMENT:reported_aid:\d+$/)]);
  expect(alerts[0]).toMatchObject({ townshipCode: '370811001', detectedBy: 'POLL' });
});
