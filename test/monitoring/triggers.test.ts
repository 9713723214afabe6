/**
 * The trigger set as data: the reviewed defaults load; a locality's file changes thresholds and
 * grades; a bad file stops the start with a message naming the trigger and the field. And the
 * pure evaluation's thresholds: "over" is strictly greater, monitored people have the lower line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTriggerSet } from '../../rules/triggers-load';
import { TriggerSetError } from '../../domain/monitoring/triggers';
import { evaluateTriggers } from '../../domain/monitoring/evaluate';
import { activeRuleSet } from '../../rules/load';
import { alertDeadlines, decisionDeadline, moveAlert, recountedDeadlines } from '../../domain/monitoring/alerts';
import { buildTriggerSet, limitOf } from '../../domain/monitoring/triggers';
import { addCalendarDays } from '../../domain/cases/working-days';
import type { HouseholdFacts } from '../../domain/findings/facts';
import { recurringAid } from '../../domain/aid';

function withOverride(content: unknown): ReturnType<typeof loadTriggerSet> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'triggers-')), 'local.json');
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return loadTriggerSet({ AIDHUB_TRIGGERS_FILE: file });
}

function error(content: unknown): TriggerSetError {
  try {
    withOverride(content);
  } catch (err) {
    if (err instanceof TriggerSetError) return err;
    throw err;
  }
  throw new Error('no error');
}

it('loads the reviewed defaults: every trigger the issue names', () => {
  const set = loadTriggerSet({});
  expect(set.triggers.map((t) => t.kind).sort()).toEqual(['DEATH_ON_ROLL', 'JOB_LOSS', 'OUT_OF_POCKET_12_MONTHS', 'RULE', 'RULE', 'SETTLEMENT_OUT_OF_POCKET', 'SEVERE_DISABILITY']);
  expect(set.limits.RED).toEqual({ acknowledgeWorkingDays: 1, verifyDays: 15, decideDays: 15 });
});

it('names the trigger and the field of a bad override', () => {
  expect(error({ triggers: [{ id: 'T1_SETTLEMENT_OOP', bands: [{ grade: 'PURPLE', monitoredOverFen: 1, othersOverFen: 2 }] }] })).toMatchObject({ triggerId: 'T1_SETTLEMENT_OOP', field: 'bands[0].grade' });
  expect(error({ triggers: [{ id: 'T6_STUDENT_NO_AID', rule: 'Z9' }] })).toMatchObject({ triggerId: 'T6_STUDENT_NO_AID', field: 'rule' });
  expect(error({ triggers: [{ id: 'T4_JOB_LOSS', colour: 'red' }] })).toMatchObject({ triggerId: 'T4_JOB_LOSS', field: 'colour' });
  expect(error({ triggers: [{ id: 'T4_JOB_LOSS', limits: { RED: { acknowledgeWorkingDays: 1 } } }] })).toMatchObject({ triggerId: 'T4_JOB_LOSS', field: 'limits.RED' });
  expect(error('{ not json').message).toMatch(/not valid JSON/);
});

it('routes a trigger to a department or a reporting office that answers slips, not to the ledger or to charities', () => {
  // 应急, 司法 … have no front-end database but are offices: a locality may name one to verify.
  const set = withOverride({ triggers: [{ id: 'T3_DEATH_ON_ROLL', verifier: { department: 'EMERGENCY_MANAGEMENT' } }, { id: 'T4_JOB_LOSS', verifier: { department: 'HUMAN_RESOURCES' } }] });
  expect(set.triggers.find((t) => t.id === 'T3_DEATH_ON_ROLL')!.verifier).toEqual({ department: 'EMERGENCY_MANAGEMENT' });
  expect(set.triggers.find((t) => t.id === 'T4_JOB_LOSS')!.verifier).toEqual({ department: 'HUMAN_RESOURCES' });
  // REPORTED is the hub's own ledger, no office; charities are many organisations, none the verifier.
  expect(error({ triggers: [{ id: 'T3_DEATH_ON_ROLL', verifier: { department: 'REPORTED' } }] })).toMatchObject({ triggerId: 'T3_DEATH_ON_ROLL', field: 'verifier.department' });
  expect(error({ triggers: [{ id: 'T3_DEATH_ON_ROLL', verifier: { department: 'CHARITY' } }] })).toMatchObject({ triggerId: 'T3_DEATH_ON_ROLL', field: 'verifier.department' });
});

it('applies a locality’s thresholds and limits', () => {
  const set = withOverride({ limits: { RED: { acknowledgeWorkingDays: 1, verifyWorkingDays: 5 }, ORANGE: { acknowledgeWorkingDays: 2, verifyDays: 10 }, YELLOW: { acknowledgeWorkingDays: 3, verifyDays: 15 } }, triggers: [{ id: 'T5_SEVERE_DISABILITY', enabled: false }] });
  expect(set.triggers.find((t) => t.id === 'T5_SEVERE_DISABILITY')!.enabled).toBe(false);
  expect(set.limits.RED).toEqual({ acknowledgeWorkingDays: 1, verifyWorkingDays: 5 });
});

describe('one stay’s out-of-pocket threshold', () => {
  const ID = '370811194801300243';
  const facts = (outOfPocketFen: number): HouseholdFacts => ({
    householdId: 1,
    spells: [{ householdId: 1, idNumber: ID, joinedOn: '2000-01-01', leftOn: null }],
    homeMembers: new Set([ID]),
    people: new Map([[ID, { idNumber: ID, birthDate: '1948-01-30', deathDate: null }]]),
    records: [],
    settlements: new Map([['S1', { settlementRef: 'S1', idNumber: ID, hospitalName: 'H', admittedOn: '2026-03-01', dischargedOn: '2026-03-05', settledOn: '2026-03-05', diagnosis: null, totalCostFen: 9_000_000, basicInsurancePaidFen: 0, criticalIllnessInsurancePaidFen: 0, medicalAidPaidFen: 0, outOfPocketFen }]]),
    certificates: [],
    students: [],
    secondAidApprovals: [],
  });
  const set = loadTriggerSet({});
  const t1 = (fen: number, monitored: boolean) => evaluateTriggers(facts(fen), { jobLosses: [], monitored: new Set(monitored ? [ID] : []) }, set, activeRuleSet({}).rules, '2026-03-15').filter((c) => c.triggerId === 'T1_SETTLEMENT_OOP');

  it('is ¥6,000 for monitored people and ¥10,000 for others, "over" meaning strictly greater', () => {
    expect(t1(600_000, true)).toHaveLength(0);
    expect(t1(600_001, true)).toEqual([expect.objectContaining({ grade: 'ORANGE', measure: 600_001 })]);
    expect(t1(1_000_000, false)).toHaveLength(0);
    expect(t1(1_000_001, false)).toHaveLength(1);
    expect(t1(2_000_001, true)[0].grade).toBe('RED');
  });

  it('keeps one identity however the amount changes', () => {
    expect(t1(700_000, true)[0].identity).toBe(t1(2_500_000, true)[0].identity);
  });

  // DOMAIN (监测预警): the monitored low-income population is 低保 and 特困 people besides the roll's
  // 低保边缘, 刚性支出困难 and 易返贫致贫 people; civil affairs keeps the former in its own tables.
  const holding = (programme: 'DIBAO' | 'TEKUN' | 'TEMP_AID', end: string | null, status: 'ACTIVE' | 'ENDED' = 'ACTIVE') =>
    evaluateTriggers({ ...facts(700_000), records: [recurringAid({ department: 'CIVIL_AFFAIRS', programme, beneficiaryIdNumber: ID, start: '2024-01-01', end, monthlyFen: 72_000, status, sourceRef: `r:${programme}` })] }, { jobLosses: [], monitored: new Set() }, set, activeRuleSet({}).rules, '2026-03-15').filter((c) => c.triggerId === 'T1_SETTLEMENT_OOP');

  it('holds a 低保 or 特困 person’s stay against the monitored line, on the roll or not', () => {
    expect(holding('DIBAO', null)).toEqual([expect.objectContaining({ grade: 'ORANGE', monitored: true, measure: 700_000 })]);
    expect(holding('DIBAO', null)[0].evidence[0]).toContain('超过监测对象预警线 ¥6000.00');
    expect(holding('TEKUN', null)).toEqual([expect.objectContaining({ grade: 'ORANGE', monitored: true })]);
    // 低保 that ended before today, or another programme: the others' line (¥10,000), not reached.
    expect(holding('DIBAO', '2025-12-31', 'ENDED')).toEqual([]);
    expect(holding('TEMP_AID', null)).toEqual([]);
  });
});

it('moves alerts only along their states, with deadlines in working days', () => {
  expect(moveAlert('NEW', 'VERIFY')).toBeNull();
  expect(moveAlert('DELIVERED', 'ACKNOWLEDGE')).toBe('ACKNOWLEDGED');
  expect(moveAlert('VERIFIED', 'DISMISS')).toBeNull();
  // 2026-09-30 (Wed): 国庆 and 中秋 2026-10-01..10-07 are off, 10-10 (Sat) is worked.
  // With the working days each day was counted with (null: calendar days), kept to count it again under another calendar.
  expect(alertDeadlines('2026-09-30', { acknowledgeWorkingDays: 1, verifyWorkingDays: 2 })).toEqual({
    acknowledgeBy: '2026-10-08',
    verifyBy: '2026-10-09',
    decideBy: '2026-10-15',
    provisional: false,
    acknowledgeWorkingDays: 1,
    verifyWorkingDays: 2,
    decideWorkingDays: null,
    verifyDays: null,
    decideDays: 15,
  });
  expect(alertDeadlines('2031-03-03', { acknowledgeWorkingDays: 1, verifyDays: 15 }).provisional).toBe(true);
});

describe('T6: a student of a 低保, 特困 or monitored household without education aid', () => {
  const MOTHER = '370811198503070027';
  const CHILD = '370811201509090011';
  const facts = (): HouseholdFacts => ({
    householdId: 7,
    spells: [MOTHER, CHILD].map((idNumber) => ({ householdId: 7, idNumber, joinedOn: '2015-09-09', leftOn: null })),
    homeMembers: new Set([MOTHER, CHILD]),
    people: new Map([
      [MOTHER, { idNumber: MOTHER, birthDate: '1985-03-07', deathDate: null }],
      [CHILD, { idNumber: CHILD, birthDate: '2015-09-09', deathDate: null }],
    ]),
    records: [],
    settlements: new Map(),
    certificates: [],
    students: [{ idNumber: CHILD, status: 'IN_SCHOOL', leftOn: null }],
    secondAidApprovals: [],
  });
  const t6 = (set: ReturnType<typeof loadTriggerSet>, monitored: string[]) =>
    evaluateTriggers(facts(), { jobLosses: [], monitored: new Set(monitored) }, set, activeRuleSet({}).rules, '2026-03-15').filter((c) => c.triggerId === 'T6_STUDENT_NO_AID');

  it('counts a household with a member on the monitored roll, as the issue asks', () => {
    const set = loadTriggerSet({});
    // Neither 低保 nor 特困 nor on the roll: M3's condition is not met.
    expect(t6(set, [])).toEqual([]);
    // The mother is on the roll: her son, in school with no aid, is an alert about him.
    const [alert, ...more] = t6(set, [MOTHER]);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ subjectIdNumber: CHILD, householdId: 7, grade: 'YELLOW', monitored: true });
    expect(alert.evidence).toContain('家庭成员在低收入人口监测名单（监测户）');
    // Whoever of the household is on the roll, the same alert.
    expect(t6(set, [CHILD])[0].identity).toBe(alert.identity);
  });

  it('is the rule alone where a locality switches the roll off, and refuses the switch on a rule it cannot widen', () => {
    expect(t6(withOverride({ triggers: [{ id: 'T6_STUDENT_NO_AID', monitoredRollHolds: false }] }), [MOTHER])).toEqual([]);
    expect(error({ triggers: [{ id: 'T7_TEMP_AID_REPEAT', monitoredRollHolds: true }] })).toMatchObject({ triggerId: 'T7_TEMP_AID_REPEAT', field: 'monitoredRollHolds' });
  });

  it('in August reads the roll of the school year ending: a 高中 entry beginning on 1 September is not yet his (as M3)', () => {
    // 初中 to 1 July 2026, 普通高中 from 1 September 2026: on no roll on 20 August; a 高中 student on 10 September.
    const moving = { ...facts(), students: [
      { idNumber: CHILD, status: 'LEFT' as const, leftOn: '2026-07-01', stage: 'JUNIOR_SECONDARY' as const, enrolledOn: '2023-09-01' },
      { idNumber: CHILD, status: 'IN_SCHOOL' as const, leftOn: null, stage: 'SENIOR_SECONDARY' as const, enrolledOn: '2026-09-01' },
    ] };
    const on = (today: string) => evaluateTriggers(moving, { jobLosses: [], monitored: new Set([MOTHER]) }, loadTriggerSet({}), activeRuleSet({}).rules, today).filter((c) => c.triggerId === 'T6_STUDENT_NO_AID');
    expect(on('2026-08-20')).toEqual([]);
    expect(on('2026-09-10').map((c) => c.subjectIdNumber)).toEqual([CHILD]);
  });
});

describe('a job loss’s evidence names where it was recorded', () => {
  const ID = '370811194801300243';
  const facts: HouseholdFacts = {
    householdId: 1,
    spells: [{ householdId: 1, idNumber: ID, joinedOn: '2000-01-01', leftOn: null }],
    homeMembers: new Set([ID]),
    people: new Map([[ID, { idNumber: ID, birthDate: '1948-01-30', deathDate: null }]]),
    records: [],
    settlements: new Map(),
    certificates: [],
    students: [],
    secondAidApprovals: [],
  };

  it('by the department that recorded it, also one that provides job losses later', () => {
    const jobLosses = [
      { idNumber: ID, department: 'HUMAN_RESOURCES' as const, lostOn: '2026-03-01', sourceRef: 'a:1' },
      { idNumber: ID, department: 'UNION' as const, lostOn: '2026-03-02', sourceRef: 'b:1' },
      // Standing in for a department added later with a job-loss fact of its own: it was called 人社失业登记.
      { idNumber: ID, department: 'HEALTH' as const, lostOn: '2026-03-03', sourceRef: 'c:1' },
    ];
    const [alert] = evaluateTriggers(facts, { jobLosses, monitored: new Set() }, loadTriggerSet({}), activeRuleSet({}).rules, '2026-03-15').filter((c) => c.triggerId === 'T4_JOB_LOSS');
    expect(alert.evidence).toEqual(['2026-03-01 失业（人社失业登记）', '2026-03-02 失业（工会困难职工档案）', '2026-03-03 失业（医疗保障局记录）']);
  });
});

it('counts an alert’s dates again from the working days it kept, keeping a date without them and the flag of an alert that kept none', () => {
  const kept = { firstClueOn: '2026-09-30', acknowledgeFrom: null, acknowledgeBy: '2026-10-01', verifyBy: '2026-10-15', decideBy: '2026-10-20', provisional: true, acknowledgeWorkingDays: 1, verifyWorkingDays: null, decideWorkingDays: null, verifyDays: null, decideDays: null, deadlineCountsKept: true, state: 'NEW' as const, decidedOn: null };
  // 签收 after the National Day week; the days in calendar days stay; every count known, the flag is counted again.
  expect(recountedDeadlines(kept, 'NEXT_WORKING_DAY')).toEqual({ acknowledgeBy: '2026-10-08', verifyBy: '2026-10-15', decideBy: '2026-10-20', provisional: false, keptOtherwise: [] });
  // Counted from the day of a move when it has one: Saturday 10-10 is worked (调休).
  expect(recountedDeadlines({ ...kept, acknowledgeFrom: '2026-10-09' }, 'NEXT_WORKING_DAY').acknowledgeBy).toBe('2026-10-10');
  // Raised before the counts were kept: a null count may hide a provisional day, so the flag stays.
  expect(recountedDeadlines({ ...kept, deadlineCountsKept: false }, 'NEXT_WORKING_DAY')).toEqual({ acknowledgeBy: '2026-10-08', verifyBy: '2026-10-15', decideBy: '2026-10-20', provisional: true, keptOtherwise: [] });
  // A year without its notice makes it provisional.
  expect(recountedDeadlines({ ...kept, firstClueOn: '2031-03-03', provisional: false }, 'NEXT_WORKING_DAY').provisional).toBe(true);
  // Signed for: its 签收 day stays as counted, its flag read again from the days it was counted over,
  // cleared for a year whose notice is known (2026), kept for one whose notice is not (2031).
  expect(recountedDeadlines({ ...kept, state: 'ACKNOWLEDGED' }, 'NEXT_WORKING_DAY')).toEqual({ acknowledgeBy: '2026-10-01', verifyBy: '2026-10-15', decideBy: '2026-10-20', provisional: false, keptOtherwise: [] });
  expect(recountedDeadlines({ ...kept, state: 'ACKNOWLEDGED', firstClueOn: '2031-03-03', acknowledgeBy: '2031-03-04', provisional: false }, 'NEXT_WORKING_DAY').provisional).toBe(true);
});

describe('a limit in calendar days whose last day is a day off (民法典 art. 203)', () => {
  const FIFTEEN = { acknowledgeWorkingDays: 1, verifyDays: 15, decideDays: 15 };
  const days = (firstClueOn: string, lastDayOff: 'NEXT_WORKING_DAY' | 'KEEP') => {
    const d = alertDeadlines(firstClueOn, { ...FIFTEEN, lastDayOff });
    return { verifyBy: d.verifyBy, decideBy: d.decideBy, verifyDays: d.verifyDays, decideDays: d.decideDays };
  };

  it('runs to the next working day by default, as the trigger set gives every limit', () => {
    const set = loadTriggerSet();
    expect(set.lastDayOff).toBe('NEXT_WORKING_DAY');
    expect(limitOf(set, set.triggers[0], 'RED').lastDayOff).toBe('NEXT_WORKING_DAY');
    // 15 days from Friday 2026-11-13 is Saturday 11-28: Monday 11-30.
    expect(days('2026-11-13', 'NEXT_WORKING_DAY')).toEqual({ verifyBy: '2026-11-30', decideBy: '2026-11-30', verifyDays: 15, decideDays: 15 });
    // 15 days from 2026-09-16 is 10-01, 国庆 (10-01 … 10-07 off): 10-08; from 09-22, 10-07: 10-08 as well.
    expect(days('2026-09-16', 'NEXT_WORKING_DAY').verifyBy).toBe('2026-10-08');
    expect(days('2026-09-22', 'NEXT_WORKING_DAY').decideBy).toBe('2026-10-08');
    // 15 days from 2026-09-25 is Saturday 10-10, a worked day (调休): it stays.
    expect(days('2026-09-25', 'NEXT_WORKING_DAY').verifyBy).toBe('2026-10-10');
    // A working day stays: 15 days from 2026-11-10 is Wednesday 11-25.
    expect(days('2026-11-10', 'NEXT_WORKING_DAY').verifyBy).toBe('2026-11-25');
    // The 签收 day and working-day limits are not concerned.
    expect(alertDeadlines('2026-09-30', { acknowledgeWorkingDays: 1, verifyWorkingDays: 2, lastDayOff: 'KEEP' })).toEqual(alertDeadlines('2026-09-30', { acknowledgeWorkingDays: 1, verifyWorkingDays: 2, lastDayOff: 'NEXT_WORKING_DAY' }));
  });

  it('keeps the day as counted when the locality says KEEP: the old behaviour', () => {
    const keep = withOverride({ triggers: [], lastDayOff: 'KEEP' });
    expect(keep.lastDayOff).toBe('KEEP');
    expect(limitOf(keep, keep.triggers[0], 'YELLOW').lastDayOff).toBe('KEEP');
    expect(keep.digest).not.toBe(loadTriggerSet().digest);
    expect(days('2026-11-13', 'KEEP')).toEqual({ verifyBy: '2026-11-28', decideBy: '2026-11-28', verifyDays: 15, decideDays: 15 });
    expect(days('2026-09-16', 'KEEP').verifyBy).toBe('2026-10-01');
    expect(() => withOverride({ triggers: [], lastDayOff: 'next' })).toThrow(/field lastDayOff/);
  });

  it('takes a locality file that gives lastDayOff alone, as the README writes it; the default set still needs its triggers', () => {
    // `{ "lastDayOff": "KEEP" }` stopped the hub: "field triggers: expected array".
    const keep = withOverride({ lastDayOff: 'KEEP' });
    expect(keep.lastDayOff).toBe('KEEP');
    expect(keep.triggers.map((t) => t.id)).toEqual(loadTriggerSet().triggers.map((t) => t.id));
    expect(withOverride({ notice: { periodDays: 7 } }).notice.periodDays).toBe(7);
    expect(() => buildTriggerSet({ lastDayOff: 'KEEP' }, null, { defaults: 'rules/triggers.json' }, new Set())).toThrow(/rules\/triggers\.json\): field triggers: required in the default set/);
  });

  it('counts a kept calendar-day count again under the rule in force', () => {
    const kept = { firstClueOn: '2026-09-16', acknowledgeFrom: null, acknowledgeBy: '2026-09-17', verifyBy: '2026-10-01', decideBy: '2026-10-01', provisional: false, acknowledgeWorkingDays: 1, verifyWorkingDays: null, decideWorkingDays: null, verifyDays: 15, decideDays: 15, deadlineCountsKept: true, state: 'NEW' as const, decidedOn: null };
    expect(recountedDeadlines(kept, 'NEXT_WORKING_DAY')).toEqual({ acknowledgeBy: '2026-09-17', verifyBy: '2026-10-08', decideBy: '2026-10-08', provisional: false, keptOtherwise: [] });
    expect(recountedDeadlines({ ...kept, verifyBy: '2026-10-08', decideBy: '2026-10-08' }, 'KEEP')).toEqual({ acknowledgeBy: '2026-09-17', verifyBy: '2026-10-01', decideBy: '2026-10-01', provisional: false, keptOtherwise: [] });
    // A period that has ended is not counted again by the rule: verified, its verification day stays and its pending decision moves;
    expect(recountedDeadlines({ ...kept, state: 'VERIFIED' }, 'NEXT_WORKING_DAY')).toEqual({ acknowledgeBy: '2026-09-17', verifyBy: '2026-10-01', decideBy: '2026-10-08', provisional: false, keptOtherwise: [] });
    // dismissed (decided), both stay; so does its 签收 in working days, a period ended too (not as the calendar counts it now).
    // Its flag is read again from the days kept: 2026's notice is known, so none is provisional.
    const dismissed = { ...kept, state: 'DISMISSED' as const, decidedOn: '2026-09-20', acknowledgeBy: '2026-09-18', provisional: true };
    expect(recountedDeadlines(dismissed, 'NEXT_WORKING_DAY')).toEqual({ acknowledgeBy: '2026-09-18', verifyBy: '2026-10-01', decideBy: '2026-10-01', provisional: false, keptOtherwise: [] });
    // Kept in a year without its notice (2031), a day off read from it is still provisional; under KEEP no day off is read.
    const unpublished = { ...dismissed, firstClueOn: '2031-03-03', acknowledgeBy: '2031-03-04', verifyBy: '2031-03-18', decideBy: '2031-03-18', provisional: false };
    expect(recountedDeadlines(unpublished, 'NEXT_WORKING_DAY').provisional).toBe(true);
    expect(recountedDeadlines({ ...unpublished, acknowledgeWorkingDays: null }, 'KEEP').provisional).toBe(false);
    // Counted from a day outside the supported years: kept as it is.
    expect(recountedDeadlines({ ...kept, firstClueOn: '9999-12-10', verifyBy: '9999-12-25', decideBy: '9999-12-25' }, 'NEXT_WORKING_DAY')).toMatchObject({ verifyBy: '9999-12-25', decideBy: '9999-12-25' });
  });

  it('neither freezes nor throws on the worst dates: a day no calendar reaches is not moved, and provisional', () => {
    for (const from of ['0001-01-01', '1899-12-20', '2100-12-31', '9999-12-31'])
      for (const rule of ['NEXT_WORKING_DAY', 'KEEP'] as const) {
        expect(() => addCalendarDays(from, 15, rule)).not.toThrow();
        expect(() => decisionDeadline(from, { ...FIFTEEN, lastDayOff: rule })).not.toThrow();
      }
    expect(addCalendarDays('0001-01-01', 15, 'NEXT_WORKING_DAY')).toEqual({ date: '0001-01-16', provisional: true });
    // The last supported day is a Friday; one after it is not counted to.
    expect(addCalendarDays('2100-12-16', 15, 'NEXT_WORKING_DAY')).toEqual({ date: '2100-12-31', provisional: true });
    expect(addCalendarDays('2100-12-17', 15, 'NEXT_WORKING_DAY')).toEqual({ date: '2101-01-01', provisional: true });
  });
});

/**
 * T3's grace (months after the month of death a recurring grant may still run) is the trigger's own
 * `graceMonths`. It was X8's, found by that id (0 without it): a locality that renamed X8 (switched
 * off, its rule under a new id) or had none gave T3 no grace without a word.
 */
describe('T3’s grace after the month of death', () => {
  const ID = '370811194801300243';
  const DIED = '2026-01-10';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 't3-grace-'));
  const file = (name: string, content: unknown) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, JSON.stringify(content));
    return f;
  };
  const rc8 = { ...activeRuleSet({}).rules.find((r) => r.id === 'X8')!, id: 'RC8', graceMonths: 1 };
  const RULES = {
    x8Grace1: file('x8-grace-1.json', { rules: [{ id: 'X8', graceMonths: 1 }] }),
    renamed: file('renamed.json', { rules: [{ id: 'X8', enabled: false }, rc8] }),
    withoutX8: file('without-x8.json', { rules: [{ id: 'X8', enabled: false }] }),
    disagreeing: file('disagreeing.json', { rules: [rc8] }),
  };
  const env = (opts: { rules?: string; t3?: Record<string, unknown> }) => ({
    ...(opts.rules ? { AIDHUB_RULES_FILE: opts.rules } : {}),
    ...(opts.t3 ? { AIDHUB_TRIGGERS_FILE: file(`t3-${JSON.stringify(opts.t3).replace(/\W/g, '')}.json`, { triggers: [{ id: 'T3_DEATH_ON_ROLL', ...opts.t3 }] }) } : {}),
  });
  const graceOf = (e: NodeJS.ProcessEnv) => {
    const t3 = loadTriggerSet(e).triggers.find((t) => t.id === 'T3_DEATH_ON_ROLL')!;
    return t3.kind === 'DEATH_ON_ROLL' ? t3.graceMonths : null;
  };
  /** Whether 低保 ended on `end` opens T3 on 15 March for a person who died on 10 January. */
  const opens = (e: NodeJS.ProcessEnv, end: string) =>
    evaluateTriggers(
      {
        householdId: 1,
        spells: [{ householdId: 1, idNumber: ID, joinedOn: '2000-01-01', leftOn: null }],
        homeMembers: new Set([ID]),
        people: new Map([[ID, { idNumber: ID, birthDate: '1948-01-30', deathDate: DIED }]]),
        records: [recurringAid({ department: 'CIVIL_AFFAIRS', programme: 'DIBAO', beneficiaryIdNumber: ID, start: '2020-01-01', end, monthlyFen: 72_000, status: 'ACTIVE', sourceRef: 'r:dibao' })],
        settlements: new Map(),
        certificates: [],
        students: [],
        secondAidApprovals: [],
      },
      { jobLosses: [], monitored: new Set() },
      loadTriggerSet(e),
      activeRuleSet(e).rules,
      '2026-03-15',
    ).some((c) => c.triggerId === 'T3_DEATH_ON_ROLL');

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is by default the rule set’s AID_AFTER_DEATH rule’s, as before: 0, or a locality’s X8 grace', () => {
    expect(graceOf({})).toBe(0);
    // Paid for January, stopped from February: a grant ended on 31 January opens nothing, one running through February does.
    expect([opens({}, '2026-01-31'), opens({}, '2026-02-28')]).toEqual([false, true]);
    expect(graceOf(env({ rules: RULES.x8Grace1 }))).toBe(1);
    expect([opens(env({ rules: RULES.x8Grace1 }), '2026-02-28'), opens(env({ rules: RULES.x8Grace1 }), '2026-03-31')]).toEqual([false, true]);
  });

  it('follows that rule by its kind, not its id: X8 switched off and its rule under a new id', () => {
    expect(graceOf(env({ rules: RULES.renamed }))).toBe(1);
    expect(opens(env({ rules: RULES.renamed }), '2026-02-28')).toBe(false);
  });

  it('is the trigger’s own graceMonths where it gives one, whatever the rule set’s', () => {
    expect(graceOf(env({ t3: { graceMonths: 2 } }))).toBe(2);
    expect([opens(env({ t3: { graceMonths: 2 } }), '2026-03-31'), opens(env({ t3: { graceMonths: 2 } }), '2026-04-30')]).toEqual([false, true]);
    expect(graceOf(env({ rules: RULES.x8Grace1, t3: { graceMonths: 0 } }))).toBe(0);
    expect(opens(env({ rules: RULES.x8Grace1, t3: { graceMonths: 0 } }), '2026-02-28')).toBe(true);
  });

  it('keeps its own grace with a rule set without X8, and has none without either', () => {
    expect(graceOf(env({ rules: RULES.withoutX8, t3: { graceMonths: 1 } }))).toBe(1);
    expect(opens(env({ rules: RULES.withoutX8, t3: { graceMonths: 1 } }), '2026-02-28')).toBe(false);
    expect(graceOf(env({ rules: RULES.withoutX8 }))).toBe(0);
    expect(opens(env({ rules: RULES.withoutX8 }), '2026-02-28')).toBe(true);
  });

  it.each([-1, 13, 1.5, '1', null])('refuses graceMonths %j at start-up, naming the trigger and the field', (graceMonths) => {
    expect(error({ triggers: [{ id: 'T3_DEATH_ON_ROLL', graceMonths }] })).toMatchObject({ code: 'INVALID_TRIGGER_SET', triggerId: 'T3_DEATH_ON_ROLL', field: 'graceMonths' });
  });

  it('must be given when the rule set’s AID_AFTER_DEATH rules allow different graces', () => {
    const err = (() => {
      try {
        loadTriggerSet(env({ rules: RULES.disagreeing }));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(TriggerSetError);
    expect(err).toMatchObject({ code: 'INVALID_TRIGGER_SET', triggerId: 'T3_DEATH_ON_ROLL', field: 'graceMonths' });
    expect((err as Error).message).toContain('X8, RC8');
    expect(graceOf(env({ rules: RULES.disagreeing, t3: { graceMonths: 1 } }))).toBe(1);
  });
});
