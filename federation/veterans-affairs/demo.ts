/**
 * 退役军人事务's part of the demo population, at rates like a prefecture city's: about 1.5% of
 * adults are 优抚对象 drawing a monthly pension (more among the old, the disabled and the poor),
 * a few of them stopped or suspended; about a third of those in households in hardship (a tenth of the others) received
 * 困难退役军人帮扶援助 in the last two years. Amounts follow Shandong's standards of recent years.
 */
import { addDays, type IsoDate } from '../../domain/dates';
import type { DemoCell, DemoHousehold, DemoRandom, DepartmentDemo } from '../demo-contract';

const TABLES = {
  yf_fxbz: ['gmsfhm', 'yfdxlb', 'ksrq', 'zzrq', 'ybz', 'ffzt'],
  knjr_bf: ['gmsfhm', 'bfrq', 'bfje', 'bfsy'],
} as const;

const HARDSHIPS = ['因病致困', '因灾致困', '生活困难', '子女就学困难'];

function household(h: DemoHousehold, rng: DemoRandom, ref: IsoDate): Record<string, DemoCell[][]> {
  const rows: Record<keyof typeof TABLES, DemoCell[][]> = { yf_fxbz: [], knjr_bf: [] };
  for (const m of h.members.filter((x) => x.deathDate === null && x.age >= 35)) {
    let p = m.age >= 60 ? 0.025 : 0.01;
    if (m.disabilityLevel !== null) p *= 2;
    if (h.poor) p *= 1.5;
    if (!rng.chance(p)) continue;
    const group = m.disabilityLevel !== null ? '01' : rng.pick(['02', '03', '04', '05', '05', '99']);
    const start = addDays(ref, -rng.int(60, 10 * 365));
    const state = rng.chance(0.04) ? 3 : rng.chance(0.03) ? 2 : 1;
    const end = state === 3 ? addDays(start, rng.int(30, 365)) : null;
    rows.yf_fxbz.push([m.idNumber, group, start, end !== null && end > ref ? ref : end, (rng.int(8, 30) * 100).toFixed(2), state]);
    if (rng.chance(h.poor ? 0.35 : 0.1)) rows.knjr_bf.push([m.idNumber, addDays(ref, -rng.int(0, 700)), (rng.int(5, 30) * 100).toFixed(2), rng.pick(HARDSHIPS)]);
  }
  return rows;
}

export const VETERANS_AFFAIRS_DEMO: DepartmentDemo = { tables: TABLES, household };
