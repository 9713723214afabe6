/**
 * 民政's own part of the demo written from its folder: the monitored low-income roll
 * (低收入人口动态监测). The other civil affairs tables are still written by tools/generate.
 * Rates like a prefecture city's: beyond 低保 and 特困, about 2–3% of people are monitored
 * (低保边缘, 刚性支出困难, 易返贫致贫); a household in hardship is on the roll far more often
 * (a quarter of them) than others (1.5%); the whole household is put on the roll, living members
 * only; about one spell in seven has ended (income recovered, 消除风险).
 */
import { addDays, type IsoDate } from '../../domain/dates';
import type { DemoCell, DemoHousehold, DemoRandom, DepartmentDemo } from '../demo-contract';

const TABLES = { dc_monitor_roll: ['id_no', 'county_code', 'jclb', 'nrrq', 'tcrq'] } as const;

/** Category shares: 边缘 45%, 刚性支出 35%, 易返贫致贫 20%. */
function category(random: DemoRandom): string {
  const r = random.next();
  return r < 0.45 ? '01' : r < 0.8 ? '02' : '03';
}

export const civilAffairsDemo: DepartmentDemo = {
  tables: TABLES,
  household(h: DemoHousehold, random: DemoRandom, referenceDate: IsoDate): Record<string, DemoCell[][]> {
    if (!random.chance(h.poor ? 0.25 : 0.015)) return {};
    const jclb = category(random);
    const from = addDays(referenceDate, -random.int(30, 3 * 365));
    const ended = random.chance(1 / 7) ? addDays(from, random.int(90, 540)) : null;
    const to = ended !== null && ended < referenceDate ? ended : null;
    const rows = h.members.filter((m) => m.deathDate === null || m.deathDate > from).map((m): DemoCell[] => [m.idNumber, h.countyCode, jclb, from, to]);
    return { dc_monitor_roll: rows };
  },
};
