/**
 * T3 (死亡人员仍在保) judges recurring aid after a death as X8 does: paid for the month of death,
 * stopped from the month after (自死亡次月起停发). 特困 support the office ended on the last day of the
 * month of death was stopped as the rule asks, and is no alert; one ending later, or not ended, is.
 * T3 compared the end with the day of death, so every enrolment ended correctly at the month's end
 * still opened an alert "still on the roll" for the township to verify, while the death's month ran.
 */
import { civilAffairsScenario } from '../../federation/civil-affairs/scenario';
import { makeIdNumber } from '../../domain/id-number';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { candidatesForHouseholds, type DetectDeps } from '../../resolvers/monitoring/detect';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { insertRegions, TODAY } from '../support/scenarios';
import { addHousehold } from '../findings-scenario';

jest.setTimeout(180_000);

/** Died on 5 March 2026; the scenario's day is 15 March, in the month of death. */
const DIED = '2026-03-05';
const ENDED_AT_MONTH_END = makeIdNumber('370811', '1936-01-01', 71);
const ENDED_NEXT_MONTH = makeIdNumber('370811', '1936-02-02', 73);
const NOT_ENDED = makeIdNumber('370811', '1936-03-03', 75);
const BEGUN_AFTER = makeIdNumber('370811', '1936-04-04', 77);

let dbs: TestDatabases;
let deps: DetectDeps;
const households = new Map<string, number>();

beforeAll(async () => {
  dbs = await createTestDatabases('alert_t3_month');
  await insertRegions(dbs);
  let n = 0;
  for (const [id, endOn] of [
    [ENDED_AT_MONTH_END, '2026-03-31'],
    [ENDED_NEXT_MONTH, '2026-04-30'],
    [NOT_ENDED, null],
    [BEGUN_AFTER, '2026-03-31'],
  ] as const) {
    n++;
    households.set(id, await addHousehold(dbs, `F-T3M-${n}`, [{ idNumber: id, name: '丁', gender: 'M', birthDate: '1936-01-01', deathDate: DIED }]));
    // The last one enrolled on 10 March, after the death: owed nothing, from its first day (X8).
    const startOn = id === BEGUN_AFTER ? '2026-03-10' : '2020-01-01';
    await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'tekun', { idNo: id, countyCode: '370811', careMode: 1, startOn, endOn, monthlyFen: 110_000 });
  }
  deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => new Date(`${TODAY}T02:00:00.000Z`) };
});

afterAll(async () => {
  await dbs?.close();
});

const t3Of = async (id: string) => (await candidatesForHouseholds(deps, [households.get(id)!], TODAY)).filter((c) => c.triggerId === 'T3_DEATH_ON_ROLL' && c.subjectIdNumber === id);

it('opens no T3 for 特困 support ended on the last day of the month of death', async () => {
  expect(await t3Of(ENDED_AT_MONTH_END)).toEqual([]);
});

it('opens T3 for support that runs into the month after the death, has no end, or began after the death', async () => {
  expect(await t3Of(ENDED_NEXT_MONTH)).toHaveLength(1);
  expect(await t3Of(NOT_ENDED)).toHaveLength(1);
  expect(await t3Of(BEGUN_AFTER)).toHaveLength(1);
});
