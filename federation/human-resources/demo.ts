/**
 * 人社's part of the demo population, at rates like a prefecture city's: about 2.5% of
 * working-age people hold an unemployment registration from the last three years (three to four
 * times as many in households in hardship), a third of them draw unemployment insurance benefit
 * for 3 to 24 months; about 1% are recognised as hard to employ (far more among the poor, the
 * disabled and 4050 people), a quarter of those hold a public-welfare job; training subsidies go
 * to about 1% of working-age people and a fifth of the registered unemployed; graduates of poor
 * households get a job-seeking subsidy. Amounts follow Shandong's standards of recent years
 * (minimum wage 1,820–2,010 yuan; benefit about 90% of it).
 */
import { addDays, type IsoDate } from '../../domain/dates';
import type { DemoCell, DemoHousehold, DemoMember, DemoRandom, DepartmentDemo } from '../demo-contract';

const TABLES = {
  jy_knry_rd: ['sfzhm', 'rdlb', 'rdrq', 'yxqz', 'rdzt', 'jbjg'],
  sy_djxx: ['sfzhm', 'syrq', 'djrq', 'ygzdw', 'syyy', 'zxrq'],
  sy_bxj_ff: ['sfzhm', 'ksrq', 'zzrq', 'yffbz', 'ffzt'],
  gyxgw_ap: ['sfzhm', 'gwmc', 'yrdw', 'ksrq', 'jsrq', 'gwbt'],
  jy_bz_ff: ['sfzhm', 'btlx', 'ffrq', 'ffje', 'xmmc'],
} as const;

const EMPLOYERS = ['济宁某机械有限公司', '某纺织有限公司', '某建筑工程有限公司', '某食品有限公司', '某物流有限公司', '某商贸有限公司', '某煤矿', '某物业服务有限公司'];
const POSTS: readonly (readonly [string, string])[] = [
  ['保洁员', '社区居民委员会'],
  ['护林员', '镇人民政府'],
  ['治安巡逻员', '街道办事处'],
  ['养老服务员', '敬老院'],
  ['河道管护员', '镇人民政府'],
  ['公共设施维护员', '社区居民委员会'],
];
const COURSES = ['家政服务员', '育婴员', '电工', '焊工', '中式烹调师', '养老护理员', '电子商务'];

/** A date `days` before the reference date, never before the person came of age nor after the reference date. */
function daysBack(ref: IsoDate, days: number, m: DemoMember): IsoDate {
  const d = addDays(ref, -days);
  const adult = addDays(m.birthDate, 18 * 366);
  if (d >= adult) return d;
  return adult < ref ? adult : ref;
}

function yuan(amount: number): string {
  return amount.toFixed(2);
}

function workingAge(m: DemoMember): boolean {
  return m.deathDate === null && m.age >= 18 && m.age < (m.gender === 'M' ? 60 : 55);
}

function household(h: DemoHousehold, rng: DemoRandom, ref: IsoDate): Record<string, DemoCell[][]> {
  const rows: Record<keyof typeof TABLES, DemoCell[][]> = { jy_knry_rd: [], sy_djxx: [], sy_bxj_ff: [], gyxgw_ap: [], jy_bz_ff: [] };
  const minimumWage = h.urban ? 2010 : 1820;
  for (const m of h.members.filter(workingAge)) {
    const disabled = m.disabilityLevel !== null;
    // 失业登记: registrations of the last three years.
    let registered: IsoDate | null = null;
    let pUnemployed = h.poor ? 0.09 : 0.025;
    if (disabled) pUnemployed *= 1.5;
    if (rng.chance(pUnemployed)) {
      const lost = daysBack(ref, rng.int(20, 3 * 365), m);
      registered = addDays(lost, rng.int(0, 45));
      if (registered > ref) registered = ref;
      const reason = rng.pick(['01', '01', '02', '02', '03', '04', '05', '99']);
      const cancelled = rng.chance(0.55) ? addDays(registered, rng.int(60, 540)) : null;
      rows.sy_djxx.push([m.idNumber, lost, registered, reason === '99' ? null : rng.pick(EMPLOYERS), reason, cancelled !== null && cancelled <= ref ? cancelled : null]);
      // 失业保险金: for the insured who did not resign.
      if (reason !== '05' && rng.chance(0.35)) {
        const start = addDays(registered, rng.int(1, 15));
        const months = rng.int(3, 24);
        const end = addDays(addDays(start, months * 30), -1);
        if (start <= ref) rows.sy_bxj_ff.push([m.idNumber, start, end, yuan(Math.round(minimumWage * 0.9)), rng.chance(0.03) ? 2 : 1]);
      }
      if (rng.chance(0.2)) {
        const paid = addDays(registered, rng.int(30, 200));
        rows.jy_bz_ff.push([m.idNumber, 'PX', paid > ref ? ref : paid, yuan(rng.int(6, 24) * 100), rng.pick(COURSES)]);
      }
    } else if (rng.chance(0.01)) {
      rows.jy_bz_ff.push([m.idNumber, 'PX', daysBack(ref, rng.int(10, 700), m), yuan(rng.int(6, 24) * 100), rng.pick(COURSES)]);
    }

    // 就业困难人员认定, and for some a public-welfare job.
    const older = m.age >= (m.gender === 'M' ? 50 : 40);
    let pHard = 0.006;
    if (h.poor) pHard = 0.12;
    if (disabled) pHard = Math.max(pHard, 0.1);
    if (older) pHard *= 2;
    if (registered !== null) pHard *= 3;
    if (rng.chance(Math.min(0.6, pHard))) {
      const category = h.poor ? '03' : disabled ? '02' : older ? '01' : registered !== null ? '05' : '99';
      const since = daysBack(ref, rng.int(30, 4 * 365), m);
      const until = addDays(since, 3 * 365);
      const ended = until < ref || rng.chance(0.2);
      rows.jy_knry_rd.push([m.idNumber, category, since, until, ended ? 2 : 1, h.countyCode]);
      if (rng.chance(0.25)) {
        const [post, employer] = rng.pick(POSTS);
        const start = addDays(since, rng.int(15, 120));
        if (start <= ref) {
          const end = addDays(start, rng.pick([365, 730, 1095]) - 1);
          rows.gyxgw_ap.push([m.idNumber, post, employer, start, end, yuan(minimumWage)]);
          if (rng.chance(0.3)) rows.jy_bz_ff.push([m.idNumber, 'YZ', start, yuan(rng.pick([1000, 1500, 2000])), '一次性就业援助']);
        }
      }
    }

    // 求职创业补贴: graduating students of households in hardship.
    if (h.poor && m.age >= 21 && m.age <= 23 && rng.chance(0.3)) rows.jy_bz_ff.push([m.idNumber, 'QZ', daysBack(ref, rng.int(30, 300), m), yuan(1000), '高校毕业生求职创业补贴']);
  }
  return rows;
}

export const HUMAN_RESOURCES_DEMO: DepartmentDemo = { tables: TABLES, household };
