/**
 * The village notice's rules, without a server: the period as a locality's data (calendar or
 * working days, counted from the day after posting), the head's name masked, and the text an
 * officer gives refused when it could identify someone or tell of their health.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTriggerSet } from '../../rules/triggers-load';
import { DEFAULT_NOTICE_RULES, maskHeadName, noticeEndsOn, noticeStillRunning, noticeTextProblem } from '../../domain/monitoring/notice';
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
    expect(noticeEndsOn('2026-12-01', { periodDays: 5, headName: 'SURNAME_MOU' })).toEqual({ endsOn: '2026-12-06', provisional: false });
    expect(noticeStillRunning('2026-12-06', '2026-12-06')).toBe(true);
    expect(noticeStillRunning('2026-12-06', '2026-12-07')).toBe(false);
  });

  it('is a locality’s data: working days over 国庆 in its file, or refused naming the field', () => {
    const set = loadTriggerSet(withTriggersFile({ name: '某县', triggers: [], notice: { periodWorkingDays: 5, headName: 'SURNAME_CROSSES' } }));
    expect(set.notice).toEqual({ periodWorkingDays: 5, headName: 'SURNAME_CROSSES' });
    // Posted on 30 September 2026: 国庆 (1–7 October) is off, so five working days end well after 8 October.
    const ends = noticeEndsOn('2026-09-30', set.notice);
    expect(ends.endsOn > '2026-10-08').toBe(true);
    expect(() => loadTriggerSet(withTriggersFile({ triggers: [], notice: { periodDays: 5, periodWorkingDays: 5 } }))).toThrow(/field notice: give exactly one of periodDays and periodWorkingDays/);
    expect(() => loadTriggerSet(withTriggersFile({ triggers: [], notice: { periodDays: 0 } }))).toThrow(/notice\.periodDays/);
    expect(() => loadTriggerSet(withTriggersFile({ triggers: [], notice: { periodDays: 5, headName: 'FULL' } }))).toThrow(/notice\.headName/);
  });
});

it('masks the head’s name as the locality chooses', () => {
  expect(maskHeadName('王建国', 'SURNAME_MOU')).toBe('王某');
  expect(maskHeadName('王建国', 'SURNAME_CROSSES')).toBe('王××');
  expect(maskHeadName('欧阳明华', 'SURNAME_MOU')).toBe('欧阳某');
  expect(maskHeadName('欧阳', 'SURNAME_CROSSES')).toBe('欧×');
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
