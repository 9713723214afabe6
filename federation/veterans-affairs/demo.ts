/**
 * 退役军人事务's part of the demo population, at rates like a prefecture city's: about 1.5% of men
 * over 35 are on the 优抚 register (disabled servicemen, survivors, demobilised and rural ex-soldiers;
 * a few women, mostly survivors), most of them drawing a periodic allowance of 600–2,500 yuan a
 * month; two in five of those in households in hardship (one in twelve of the others) got living aid
 * in the last two years, and as many school-age children of their households aid for schooling.
 */
import { addDays, type IsoDate } from '../../domain/dates';
import type { DemoCell, DemoHousehold, DemoMember, DemoRandom, DepartmentDemo } from '../demo-contract';

const TABLES = {
  yfdx_xx: ['sfzh', 'yflb', 'rdrq', 'dxzt', 'xzqh'],
  dqfx_ff: ['sfzh', 'qsrq', 'jzrq', 'ybz', 'ffzt'],
  bfyz_jl: ['sfzh', 'yzlx', 'ffrq', 'yzje', 'jlzt', 'yzsy'],
} as const;

/** Monthly allowance by category, in yuan (Shandong's standards of recent years, rounded). */
const MONTHLY: Record<string, number> = { '11': 2500, '21': 2200, '22': 2000, '23': 1900, '31': 1600, '32': 1400, '33': 900, '41': 600 };

function yuan(amount: number): string {
  return amount.toFixed(2);
}

/** A date `days` before the reference date, never before the person turned 18 nor after the reference date. */
function daysBack(ref: IsoDate, days: number, m: DemoMember): IsoDate {
  const d = addDays(ref, -days);
  const adult = addDays(m.birthDate, 18 * 366);
  if (d >= adult) return d;
  return adult < ref ? adult : ref;
}

function household(h: DemoHousehold, rng: DemoRandom, ref: IsoDate): Record<string, DemoCell[][]> {
  const rows: Record<keyof typeof TABLES, DemoCell[][]> = { yfdx_xx: [], dqfx_ff: [], bfyz_jl: [] };
  let entitled = false;
  for (const m of h.members) {
    if (m.deathDate !== null || m.age < 35) continue;
    const p = (m.gender === 'M' ? 0.015 : 0.002) * (h.poor ? 2 : 1) * (m.disabilityLevel !== null ? 2 : 1);
    if (!rng.chance(p)) continue;
    entitled = true;
    const category = m.gender === 'F' ? rng.pick(['21', '22', '23']) : m.disabilityLevel !== null ? '11' : m.age >= 60 ? rng.pick(['31', '32', '33', '41', '41']) : rng.pick(['33', '41', '41']);
    const since = daysBack(ref, rng.int(60, 15 * 365), m);
    const removed = rng.chance(0.05);
    rows.yfdx_xx.push([m.idNumber, category, since, removed ? 2 : 1, h.countyCode]);
    if (!removed && rng.chance(0.85)) {
      const start = addDays(since, rng.int(0, 60));
      if (start <= ref) rows.dqfx_ff.push([m.idNumber, start, null, yuan(MONTHLY[category]), rng.chance(0.02) ? 2 : 1]);
    }
    if (rng.chance(h.poor ? 0.4 : 0.08)) rows.bfyz_jl.push([m.idNumber, 'SH', daysBack(ref, rng.int(10, 700), m), yuan(rng.pick([1000, 2000, 3000])), rng.chance(0.03) ? 9 : 1, rng.pick(['生活困难', '因病致困', '因灾致困'])]);
  }
  if (entitled) {
    for (const child of h.members.filter((c) => c.deathDate === null && c.age >= 6 && c.age <= 18)) {
      if (rng.chance(h.poor ? 0.4 : 0.1)) rows.bfyz_jl.push([child.idNumber, 'JY', daysBack(ref, rng.int(10, 300), child), yuan(rng.pick([1000, 1500, 2000])), 1, '子女教育援助']);
    }
  }
  return rows;
}

export const VETERANS_AFFAIRS_DEMO: DepartmentDemo = { tables: TABLES, household };
