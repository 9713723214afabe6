/**
 * The village notice's rules, without a server: the period as a locality's data (calendar or
 * working days, counted from the day after posting), the head's name masked, and the text an
 * officer gives refused when it could identify someone or tell of their health.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTriggerSet } from '../../rules/triggers-load';
import { COMPOUND_SURNAMES, DEFAULT_NOTICE_RULES, maskHeadName, noticeEndsOn, noticeGate, noticeStillRunning, noticeText, noticeTextProblem } from '../../domain/monitoring/notice';
import { makeIdNumber } from '../../domain/id-number';

function withTriggersFile(content: unknown): NodeJS.ProcessEnv {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'notice-rules-')), 'triggers.json');
  fs.writeFileSync(file, JSON.stringify(content));
  return { ...process.env, AIDHUB_TRIGGERS_FILE: file };
}

describe('the period', () => {
  it('is 5 calendar days by default, the day of posting not counted', () => {
    expect(loadTriggerSet().notice).toEqual({ periodDays: 5, headName: 'SURNAME_MOU' });
    expect(DEFAULT_NOTICE_RULES.periodDays).toBe(5);
    expect(noticeEndsOn('2026-12-02', { periodDays: 5, headName: 'SURNAME_MOU' }, 'NEXT_WORKING_DAY')).toEqual({ endsOn: '2026-12-07', provisional: false });
    expect(noticeStillRunning('2026-12-07', '2026-12-07')).toBe(true);
    expect(noticeStillRunning('2026-12-07', '2026-12-08')).toBe(false);
  });

  it('runs to the next working day when its last day is off (民法典 art. 203), unless the locality keeps the day as counted', () => {
    const five = { periodDays: 5, headName: 'SURNAME_MOU' } as const;
    expect(loadTriggerSet().lastDayOff).toBe('NEXT_WORKING_DAY');
    // Posted on Tuesday 1 December 2026: the fifth day is Sunday 6 December, so it runs through Monday the 7th.
    expect(noticeEndsOn('2026-12-01', five, 'NEXT_WORKING_DAY')).toEqual({ endsOn: '2026-12-07', provisional: false });
    // Posted on 30 September 2026: the fifth day is 5 October, 国庆 (1–7 October off): through 8 October.
    expect(noticeEndsOn('2026-09-30', five, 'NEXT_WORKING_DAY').endsOn).toBe('2026-10-08');
    // Ending on Saturday 10 October 2026, a worked day (调休): it stays.
    expect(noticeEndsOn('2026-10-05', five, 'NEXT_WORKING_DAY').endsOn).toBe('2026-10-10');
    // The locality's file says KEEP: the day as counted (art. 201 alone), as before the rule.
    const keep = loadTriggerSet(withTriggersFile({ triggers: [], lastDayOff: 'KEEP' }));
    expect(keep.lastDayOff).toBe('KEEP');
    expect(noticeEndsOn('2026-12-01', keep.notice, keep.lastDayOff)).toEqual({ endsOn: '2026-12-06', provisional: false });
    // Working days are not concerned: five working days from 30 September 2026 end on 13 October either way (Saturday the 10th worked).
    const working = { periodWorkingDays: 5, headName: 'SURNAME_MOU' } as const;
    expect(noticeEndsOn('2026-09-30', working, 'KEEP')).toEqual(noticeEndsOn('2026-09-30', working, 'NEXT_WORKING_DAY'));
    expect(() => loadTriggerSet(withTriggersFile({ triggers: [], lastDayOff: 'NEXT_DAY' }))).toThrow(/field lastDayOff/);
    // A year whose holiday notice is not known: whether the day is off is the law's guess (provisional).
    expect(noticeEndsOn('2031-03-01', five, 'NEXT_WORKING_DAY').provisional).toBe(true);
  });

  it('is a locality’s data: working days over 国庆 in its file, or refused naming the field', () => {
    const set = loadTriggerSet(withTriggersFile({ name: '某县', triggers: [], notice: { periodWorkingDays: 5, headName: 'SURNAME_CROSSES' } }));
    expect(set.notice).toEqual({ periodWorkingDays: 5, headName: 'SURNAME_CROSSES' });
    // Posted on 30 September 2026: 国庆 (1–7 October) is off, so five working days end well after 8 October.
    const ends = noticeEndsOn('2026-09-30', set.notice, set.lastDayOff);
    expect(ends.endsOn > '2026-10-08').toBe(true);
    expect(() => loadTriggerSet(withTriggersFile({ triggers: [], notice: { periodDays: 5, periodWorkingDays: 5 } }))).toThrow(/field notice: give exactly one of periodDays and periodWorkingDays/);
    expect(() => loadTriggerSet(withTriggersFile({ triggers: [], notice: { periodDays: 0 } }))).toThrow(/notice\.periodDays/);
    expect(() => loadTriggerSet(withTriggersFile({ triggers: [], notice: { periodDays: 5, headName: 'FULL' } }))).toThrow(/notice\.headName/);
  });

  it('runs at least 5 days whatever the locality’s file says, or the file is refused naming the field', () => {
    // DOMAIN (监测预警): "village notice at least 5 days". A shorter period was taken and posted: a
    // 3-day notice let the decision through on the fourth day.
    expect(() => loadTriggerSet(withTriggersFile({ triggers: [], notice: { periodDays: 4 } }))).toThrow(/field notice\.periodDays: .*at least 5/);
    // Four working days posted on a Monday end on the Friday: four days. Five never run fewer than five.
    expect(noticeEndsOn('2026-03-09', { periodWorkingDays: 4, headName: 'SURNAME_MOU' }, 'NEXT_WORKING_DAY').endsOn).toBe('2026-03-13');
    expect(() => loadTriggerSet(withTriggersFile({ triggers: [], notice: { periodWorkingDays: 4 } }))).toThrow(/field notice\.periodWorkingDays: .*at least 5/);
    expect(loadTriggerSet(withTriggersFile({ triggers: [], notice: { periodDays: 5 } })).notice.periodDays).toBe(5);
    expect(loadTriggerSet(withTriggersFile({ triggers: [], notice: { periodWorkingDays: 5 } })).notice.periodWorkingDays).toBe(5);
  });
});

it('masks the head’s name as the locality chooses', () => {
  expect(maskHeadName('王建国', 'SURNAME_MOU')).toBe('王某');
  expect(maskHeadName('王建国', 'SURNAME_CROSSES')).toBe('王××');
  expect(maskHeadName('欧阳明华', 'SURNAME_MOU')).toBe('欧阳某');
  expect(maskHeadName('欧阳', 'SURNAME_CROSSES')).toBe('欧×');
});

it('masks every compound surname (复姓) of the 百家姓 whole, and no pair of single surnames it lists beside them', () => {
  for (const [name, mou, crosses] of [
    ['欧阳明华', '欧阳某', '欧阳××'],
    ['司马光', '司马某', '司马×'],
    ['诸葛建国', '诸葛某', '诸葛××'],
    ['上官婉儿', '上官某', '上官××'],
    ['第五伦', '第五某', '第五×'],
    ['呼延庆', '呼延某', '呼延×'],
    ['万俟卨', '万俟某', '万俟×'],
  ]) {
    expect(maskHeadName(name, 'SURNAME_MOU')).toBe(mou);
    expect(maskHeadName(name, 'SURNAME_CROSSES')).toBe(crosses);
  }
  // The whole list: the 百家姓's 78 two-character entries from 万俟 to 言福 less its 14 pairs of single surnames (64), and 独孤.
  expect(COMPOUND_SURNAMES).toHaveLength(65);
  expect(new Set(COMPOUND_SURNAMES).size).toBe(65);
  for (const surname of COMPOUND_SURNAMES) expect(maskHeadName(`${surname}明`, 'SURNAME_MOU')).toBe(`${surname}某`);
  // 岳帅, 仉督, 言福 … are two single surnames set side by side: 岳帅军 is 岳 with a given name 帅军.
  for (const [name, masked] of [['岳帅军', '岳某'], ['仉督明', '仉某'], ['言福生', '言某'], ['闫法宇', '闫某']]) expect(maskHeadName(name, 'SURNAME_MOU')).toBe(masked);
});

describe('the decision gate (noticeGate)', () => {
  const notice = (endsOn: string, resolutions: ('UPHELD' | 'DISMISSED' | null)[] = [], withdrawn = false) => ({ endsOn, withdrawn, objections: resolutions.map((resolution) => ({ resolution })) });
  it('needs a live notice that has run, its objections resolved and none upheld', () => {
    expect(noticeGate([], '2026-03-21')?.code).toBe('NOTICE_REQUIRED');
    expect(noticeGate([notice('2026-03-20', [], true)], '2026-03-21')?.code).toBe('NOTICE_REQUIRED');
    expect(noticeGate([notice('2026-03-20')], '2026-03-20')?.code).toBe('NOTICE_PERIOD_RUNNING');
    expect(noticeGate([notice('2026-03-20')], '2026-03-21')).toBeNull();
    expect(noticeGate([notice('2026-03-20', ['DISMISSED', null])], '2026-03-21')?.code).toBe('NOTICE_OBJECTION_UNRESOLVED');
    expect(noticeGate([notice('2026-03-20', ['DISMISSED', 'UPHELD', null])], '2026-03-21')?.code).toBe('NOTICE_OBJECTION_UPHELD');
    expect(noticeGate([notice('2026-03-20', ['DISMISSED'])], '2026-03-21')).toBeNull();
    // The objections of a withdrawn notice no longer count; its correction's period does.
    expect(noticeGate([notice('2026-03-20', ['UPHELD'], true), notice('2026-03-26')], '2026-03-21')?.code).toBe('NOTICE_PERIOD_RUNNING');
    expect(noticeGate([notice('2026-03-20', ['UPHELD'], true), notice('2026-03-26')], '2026-03-27')).toBeNull();
  });
});

it('heads a corrected notice 更正公示', () => {
  const facts = { villageName: '南门社区', issuerName: '古槐街道', headName: '王某', householdSize: 3, measures: ['TEMPORARY_AID'] as const, postedOn: '2026-03-21', endsOn: '2026-03-26', periodText: '5天', objectionContact: '古槐街道办事处民政办', objectionPhone: null };
  expect(noticeText(facts)).toMatch(/^南门社区公示：经入户核实/);
  expect(noticeText({ ...facts, correction: true })).toMatch(/^南门社区更正公示：前次公示已撤回，现更正如下。经入户核实，王某户/);
});

it('refuses a text that could identify someone or tell of their health', () => {
  const head = makeIdNumber('370811', '1975-04-12', 31);
  const household = { names: ['王建国', '张桂英'], idNumbers: [head] };
  expect(noticeTextProblem('古槐街道办事处民政办', household)).toBeNull();
  expect(noticeTextProblem('南门社区居委会', household)).toBeNull();
  expect(noticeTextProblem('电话 139 0537 1234', household)).toBe('IDENTIFYING_NUMBER');
  expect(noticeTextProblem(`身份证${head.slice(0, 17)}x`, household)).toBe('IDENTIFYING_NUMBER');
  for (const health of ['因病致贫', '镇卫生院医务室', '残联', '住院', '康复中心']) expect(noticeTextProblem(health, household)).toBe('HEALTH_DATA');
  expect(noticeTextProblem('张桂英家属', household)).toBe('NAMES_A_MEMBER');
});
