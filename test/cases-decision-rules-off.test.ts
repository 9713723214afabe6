/**
 * A rule a locality switches off (`{ "id": "X11", "enabled": false }` in AIDHUB_RULES_FILE) finds
 * nothing against a meeting's decisions not yet given either: a meeting deciding 孤儿 and 事实无人抚养
 * for one child (X11), 国家助学金 and 金秋助学 for one student and school year (X6), and 公租房 for
 * two members (X10, held once per household) was refused DECISION_CONFLICT, or warned, under the
 * rules the locality had switched off, while the pre-grant check itself found nothing.
 *
 * The household holds no aid at any department, so every finding is one of decisions not yet given.
 *
 * Nor does a warning that a check could not judge name a rule switched off: with X5 and X7 off and
 * a locality's own copies of them (RC5, RC7) on, CAUSE_UNRECOGNISED and SETTLEMENT_UNKNOWN named X5
 * and X7 beside RC5 and RC7, as if they had been weighed. The third household holds a temporary aid
 * under an undocumented cause code, so that warning has something to say.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { household, householdMember, person } from '../db/household/schema';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { educationScenario } from '../federation/education/scenario';
import { makeIdNumber } from '../domain/id-number';
import { RULES_FILE_ENV } from '../rules/load';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { caseInDeliberation, countyClients } from './support/cases';
import { insertRegions } from './support/scenarios';

const TODAY = '2026-03-15';
const VILLAGE = '370811001001';
/** A household of three (head, spouse, child), the `n`th: born on the same days, told apart by their sequence numbers. */
const membersOf = (n: number) => ({ head: makeIdNumber('370811', '1982-02-02', 71 + 10 * n), spouse: makeIdNumber('370811', '1984-04-04', 62 + 10 * n), child: makeIdNumber('370811', '2009-05-05', 53 + 10 * n) });

const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) {
  meeting { decisionChecks { findings { ruleId severity summary } } } userErrors { code field message } } }`;

const decision = (department: string, programme: string, beneficiaryIdNumber: string, more: Record<string, unknown> = {}) => ({ department, programme, amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber, ...more });
/** Three pairs of decisions for the `n`th household that rules keep apart: X11 (person), X6 (person, one school year), X10 (household). */
const decisionsFor = (n: number) => {
  const { head, spouse, child } = membersOf(n);
  return [
    decision('CIVIL_AFFAIRS', 'ORPHAN', child),
    decision('CIVIL_AFFAIRS', 'UNSUPPORTED_CHILD', child),
    decision('EDUCATION', 'NATIONAL_GRANT', child, { schoolYear: '2025-2026' }),
    decision('UNION', 'UNION_AUTUMN_EDU', child, { schoolYear: '2025-2026' }),
    decision('HOUSING', 'PUBLIC_RENTAL', head),
    decision('HOUSING', 'PUBLIC_RENTAL', spouse),
  ];
};

let dbs: TestDatabases;
let hub: TestHub;
/** The households, by n: the first met under the default rules, the second and third under the locality's. */
const householdIds: number[] = [];
let ca: TestHub['gql'];
let dir: string;
const previous = process.env[RULES_FILE_ENV];

/** A meeting of a new case of the `n`th household deciding `decisions`: its payload. */
async function meeting(n: number, summary: string, decisions: readonly Record<string, unknown>[]) {
  const caseId = await caseInDeliberation(ca, householdIds[n], summary, '2026-03-09T09:00:00+08:00');
  const res = await ca(MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION', 'UNION', 'HOUSING', 'HEALTH'], decisions } });
  expect(res.errors).toBeUndefined();
  return res.data.meetingRecord;
}

const ruleIdsOf = (checks: { findings: { ruleId: string }[] }[]) => checks.map((c) => c.findings.map((f) => f.ruleId));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-rules-off-'));
  dbs = await createTestDatabases('cases_decision_rules_off');
  await insertRegions(dbs);
  for (const n of [0, 1, 2]) {
    const [res] = await dbs.hub.insert(household).values({ registrationNo: `F-RO-${n}`, regionCode: VILLAGE, address: `古槐街道 RO-${n}` });
    const householdId = res.insertId;
    householdIds.push(householdId);
    const { head, spouse, child } = membersOf(n);
    for (const [id, relation, birthDate] of [[head, 'HEAD', '1982-02-02'], [spouse, 'SPOUSE', '1984-04-04'], [child, 'CHILD', '2009-05-05']] as const) {
      await dbs.hub.insert(person).values({ idNumber: id, name: relation, gender: Number(id[16]) % 2 ? 'M' : 'F', birthDate, deathDate: null });
      await dbs.hub.insert(householdMember).values({ householdId, idNumber: id, relation, joinedOn: '2015-01-01' });
    }
  }
  // Each child a 普通高中 student on the education roll: the 国家助学金 decision fits the stage (a 初中
  // pupil's would carry SCHOOL_STAGE beside the rules this test is about).
  await educationScenario.insert(
    dbs.sources.EDUCATION,
    'students',
    [0, 1, 2].map((n) => ({ studentNo: `XS-RO-${n}`, sfzh: membersOf(n).child, schoolCode: '370811000001', schoolName: '演示高中', stage: 'GZ', grade: 2, enrolYear: '2024', xjStatus: 'ZX' })),
  );
  // The third household's head: a temporary aid last December under a cause code civil affairs does not document.
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [
    { grantId: 9201, idNo: membersOf(2).head, familyNo: 'DB370811-RO-2', causeCode: '07', grantDate: '2025-12-10', amountFen: 100_000, approvalLevel: 1 },
  ]);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING' });
  ca = (await countyClients(hub, [['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING']])).ca.gql;
}, 120_000);

afterAll(async () => {
  if (previous === undefined) delete process.env[RULES_FILE_ENV];
  else process.env[RULES_FILE_ENV] = previous;
  fs.rmSync(dir, { recursive: true, force: true });
  await hub?.close();
  await dbs?.close();
});

describe('a meeting deciding aid that rules keep apart', () => {
  it('is refused under the default rules, naming X11 and X10, and warned of X6', async () => {
    const decisions = decisionsFor(0);
    const refused = await meeting(0, '规则在用时', decisions);
    expect(refused.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field.join('.')])).toEqual([
      ['DECISION_CONFLICT', 'input.decisions.1.conflictOverrideReason'],
      ['DECISION_CONFLICT', 'input.decisions.5.conflictOverrideReason'],
    ]);
    expect(refused.userErrors[0].message).toContain('X11');
    expect(refused.userErrors[1].message).toContain('X10');
    const overridden = decisions.map((d, i) => (i === 1 || i === 5 ? { ...d, conflictOverrideReason: '测试' } : d));
    const recorded = await meeting(0, '规则在用时，说明理由', overridden);
    expect(ruleIdsOf(recorded.meeting.decisionChecks)).toEqual([[], ['X11'], [], ['X6'], [], ['X10']]);
  });

  it('is recorded without a finding where the locality switched those rules off', async () => {
    const file = path.join(dir, 'local.json');
    fs.writeFileSync(file, JSON.stringify({ name: '任城区', rules: [{ id: 'X11', enabled: false }, { id: 'X6', enabled: false }, { id: 'X10', enabled: false }] }));
    process.env[RULES_FILE_ENV] = file;
    try {
      const recorded = await meeting(1, '规则已停用', decisionsFor(1));
      expect(recorded.userErrors).toEqual([]);
      expect(ruleIdsOf(recorded.meeting.decisionChecks)).toEqual([[], [], [], [], [], []]);
    } finally {
      delete process.env[RULES_FILE_ENV];
    }
  });

  it('names in a warning that the check could not judge only the rules the locality has on', async () => {
    const defaults = JSON.parse(fs.readFileSync(path.join(__dirname, '../rules/default.json'), 'utf8')).rules as { id: string }[];
    const copyOf = (id: string, as: string) => ({ ...defaults.find((r) => r.id === id)!, id: as, title: `${as}（本区）` });
    const file = path.join(dir, 'copies.json');
    // M5 off too: the decided temporary aid is the household's second in 12 months, which M5 would tell of.
    const rules = [{ id: 'X5', enabled: false }, { id: 'X7', enabled: false }, { id: 'M5', enabled: false }, copyOf('X5', 'RC5'), copyOf('X7', 'RC7')];
    fs.writeFileSync(file, JSON.stringify({ name: '任城区', rules }));
    process.env[RULES_FILE_ENV] = file;
    try {
      const { head, spouse } = membersOf(2);
      const recorded = await meeting(2, '停用规则不再列名', [
        decision('CIVIL_AFFAIRS', 'TEMP_AID', spouse, { cause: 'ACCIDENT' }),
        decision('HEALTH', 'MEDICAL_AID', head, { settlementReference: 'SETL-NONE-1' }),
      ]);
      expect(recorded.userErrors).toEqual([]);
      const [tempAid, medicalAid]: { ruleId: string; summary: string }[][] = recorded.meeting.decisionChecks.map((c: { findings: { ruleId: string; summary: string }[] }) => c.findings);
      expect(tempAid.map((f) => f.ruleId)).toEqual(['CAUSE_UNRECOGNISED']);
      expect(tempAid[0].summary).toMatch(/^RC5无法判断：本户 1 笔/);
      expect(medicalAid.map((f) => f.ruleId)).toEqual(['SETTLEMENT_UNKNOWN']);
      expect(medicalAid[0].summary).toMatch(/^RC7无法判断：/);
    } finally {
      delete process.env[RULES_FILE_ENV];
    }
  });
});
