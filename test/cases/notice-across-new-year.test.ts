/**
 * A State Council notice arranges 元旦 with the last days of the year before when it joins them to
 * a weekend: the 2019 notice gave 2018-12-30 to 2019-01-01 off and Saturday 2018-12-29 worked, the
 * 2012 notice Saturday 2011-12-31 worked. A locality copying such a notice into AIDHUB_HOLIDAYS_FILE
 * as published stopped the hub ("not in 2019, the notice's year"), and the December days had no
 * year of their own to go in (a notice of the year before replaces that whole year). Such days, in
 * the December before the notice's year, are taken with it; any other day of another year is still
 * refused. Here a notice of 2030 in the 2019 notice's pattern, against a real hub: a case reported
 * on Wednesday 2029-12-26 forms its investigation opinion by the worked Saturday 12-29 (3 working
 * days: 27, 28, 29), not by Monday 12-31, a day off under the notice.
 */
import { parseHolidayNotices } from '../../domain/cases/holiday-notices';
import { statutoryHolidays } from '../../domain/cases/statutory-holidays';
import { holidayFiles } from '../support/notice-2027';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { insertRegions, insertWang } from '../support/scenarios';

const notice2030 = {
  year: 2030,
  basis: '国务院办公厅关于2030年部分节假日安排的通知（示例，按2019年通知的元旦安排）',
  holidays: { '2029-12-30': '元旦', '2029-12-31': '元旦', ...Object.fromEntries(statutoryHolidays(2030)) } as Record<string, string>,
  workdays: { '2029-12-29': '元旦' } as Record<string, string>,
};

const clock = new TestClock('2029-12-26T10:00:00+08:00');
const holidays = holidayFiles('aidhub-notice-new-year-');

let dbs: TestDatabases;
let hub: TestHub | undefined;
let wangId: string;

beforeAll(async () => {
  holidays.use('holidays-2030.json', [notice2030]);
  dbs = await createTestDatabases('notice_new_year');
  await insertRegions(dbs);
  wangId = String(await insertWang(dbs));
}, 120_000);

afterAll(async () => {
  holidays.restore();
  await hub?.close();
  await dbs?.close();
});

it('takes a notice listing days of the December before its year, and counts deadlines by them', async () => {
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  const calendar = await hub.gql(`{ workingDayCalendar { noticeYears } }`);
  expect(calendar.data.workingDayCalendar.noticeYears).toEqual([2030]);
  const opened = await hub.gql(`mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { deadlines { kind dueOn } } userErrors { code } } }`, {
    input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '元旦前受理' },
  });
  expect(opened.errors).toBeUndefined();
  expect(opened.data.caseOpen.userErrors).toEqual([]);
  expect(opened.data.caseOpen.case.deadlines.find((d: { kind: string }) => d.kind === 'INVESTIGATION_OPINION').dueOn).toBe('2029-12-29');
});

it('still refuses a day of another year that is no December before the notice’s year', () => {
  for (const date of ['2031-01-01', '2029-11-30', '2028-12-31']) {
    const notice = { ...notice2030, holidays: { ...notice2030.holidays, [date]: '元旦' } };
    expect(() => parseHolidayNotices({ notices: [notice] }, 'test.json')).toThrow(new RegExp(`holidays\\["${date}"\\]: not in 2030, the notice’s year, nor in the December before it`));
  }
});
