/**
 * 医保's part of the demo population: hospital settlements by age and diagnosis (costs by hospital
 * tier, basic insurance, 大病保险 and medical aid by basic-living status), medical aid paid
 * afterwards for large out-of-pocket amounts (a few over the amount), and 参保资助 premium
 * subsidies. The settlements are published on the household for the aid tied to them.
 *
 * Its steps share the household's random stream with the other first-release departments
 * (federation/demo-contract.ts, DemoStep), in rank order.
 */
import { addDays } from '../../domain/dates';
import { fenToYuan } from '../../domain/money';
import { compactOf, dayNumber, isoOf } from '../demo-calendar';
import type { DemoDraw, DemoReference, DemoRows, DepartmentDemo, DepartmentPlant } from '../demo-contract';
import { DEMO_DEFECTS, alive, day, fen, seldom, statusOn } from '../demo-kit';

/** About 1% of aid payments are reversed or recovered (vali_flag '0'). */
function validity(payKey: string): string {
  return seldom(`reversed:${payKey}`, 10) ? '0' : '1';
}
import { Rng, Weighted } from '../demo-random';

const TABLES = {
  mi_setl: [
    'setl_id', 'psn_cert_no', 'fixmedins_name', 'adm_date', 'dscg_date', 'setl_date', 'dise_name',
    'medfee_sumamt', 'hifp_pay', 'hifmi_pay', 'maf_pay', 'psn_pay', 'refd_setl_flag',
  ],
  mi_aid_pay: ['pay_id', 'psn_cert_no', 'setl_id', 'aid_type', 'pay_date', 'pay_amt', 'vali_flag'],
} as const;

interface Diagnosis {
  name: string;
  /** Median total cost at a county hospital, yuan. */
  median: number;
  los: [number, number];
  severity: 0 | 1 | 2;
}
const DX_CHILD = new Weighted<Diagnosis>([
  [{ name: '支气管肺炎', median: 4200, los: [5, 10], severity: 0 }, 40],
  [{ name: '急性支气管炎', median: 2800, los: [3, 7], severity: 0 }, 20],
  [{ name: '手足口病', median: 2500, los: [3, 7], severity: 0 }, 10],
  [{ name: '急性阑尾炎', median: 7500, los: [5, 9], severity: 1 }, 10],
  [{ name: '骨折', median: 12000, los: [7, 15], severity: 1 }, 10],
  [{ name: '急性白血病', median: 60000, los: [20, 40], severity: 2 }, 2],
  [{ name: '病毒性脑炎', median: 15000, los: [10, 20], severity: 1 }, 3],
]);
const DX_ADULT = new Weighted<Diagnosis>([
  [{ name: '急性阑尾炎', median: 8000, los: [5, 9], severity: 1 }, 12],
  [{ name: '胆囊结石伴胆囊炎', median: 14000, los: [6, 12], severity: 1 }, 12],
  [{ name: '腰椎间盘突出症', median: 16000, los: [8, 15], severity: 1 }, 10],
  [{ name: '骨折', median: 22000, los: [8, 20], severity: 1 }, 12],
  [{ name: '肺炎', median: 6000, los: [6, 12], severity: 0 }, 12],
  [{ name: '高血压病', median: 4500, los: [5, 10], severity: 0 }, 8],
  [{ name: '2型糖尿病', median: 6000, los: [7, 12], severity: 0 }, 8],
  [{ name: '乳腺恶性肿瘤', median: 42000, los: [10, 25], severity: 2 }, 4],
  [{ name: '肝恶性肿瘤', median: 55000, los: [12, 30], severity: 2 }, 3],
  [{ name: '慢性肾脏病5期', median: 30000, los: [10, 20], severity: 2 }, 3],
  [{ name: '急性心肌梗死', median: 40000, los: [7, 14], severity: 2 }, 3],
]);
const DX_ELDERLY = new Weighted<Diagnosis>([
  [{ name: '脑梗死', median: 14000, los: [10, 18], severity: 1 }, 22],
  [{ name: '冠状动脉粥样硬化性心脏病', median: 30000, los: [7, 14], severity: 2 }, 16],
  [{ name: '慢性阻塞性肺疾病急性加重', median: 9000, los: [8, 15], severity: 1 }, 14],
  [{ name: '心力衰竭', median: 12000, los: [8, 15], severity: 1 }, 8],
  [{ name: '2型糖尿病', median: 7000, los: [8, 14], severity: 0 }, 8],
  [{ name: '高血压病', median: 5000, los: [6, 12], severity: 0 }, 7],
  [{ name: '肺炎', median: 8000, los: [8, 14], severity: 0 }, 8],
  [{ name: '老年性白内障', median: 5500, los: [2, 4], severity: 0 }, 6],
  [{ name: '股骨颈骨折', median: 35000, los: [12, 22], severity: 2 }, 5],
  [{ name: '肺恶性肿瘤', median: 50000, los: [12, 30], severity: 2 }, 5],
  [{ name: '胃恶性肿瘤', median: 48000, los: [12, 28], severity: 2 }, 4],
  [{ name: '慢性肾脏病5期', median: 30000, los: [10, 20], severity: 2 }, 3],
]);
const DX_BIRTH: Diagnosis = { name: '单胎顺产', median: 3800, los: [3, 5], severity: 0 };

type Tier = 'TOWNSHIP' | 'COUNTY' | 'CITY' | 'PROVINCE';
/** Cost factor, deductible (yuan) and reimbursement rate of resident basic medical insurance by hospital tier. */
const TIERS: Record<Tier, { cost: number; deductible: number; rate: number }> = {
  TOWNSHIP: { cost: 0.4, deductible: 200, rate: 0.85 },
  COUNTY: { cost: 1, deductible: 500, rate: 0.75 },
  CITY: { cost: 1.35, deductible: 800, rate: 0.65 },
  PROVINCE: { cost: 1.8, deductible: 1200, rate: 0.55 },
};
const CITY_HOSPITALS: Record<string, readonly string[]> = {
  '济宁市': ['济宁医学院附属医院', '济宁市第一人民医院', '济宁市中医院', '济宁市第二人民医院'],
  '聊城市': ['聊城市人民医院', '聊城市中医医院', '聊城市第二人民医院'],
};
const PROVINCE_HOSPITALS = ['山东大学齐鲁医院', '山东第一医科大学附属省立医院', '山东省肿瘤医院'];

/** Resident medical insurance premium, yuan per year, for 参保资助. */
function premiumYuan(year: number): number {
  if (year >= 2024) return 400;
  if (year === 2023) return 380;
  return 350;
}

function hospital(h: DemoDraw, rng: Rng, dx: Diagnosis): [Tier, string] {
  const r = rng.next();
  let tier: Tier;
  if (dx.severity === 2) tier = r < 0.2 ? 'PROVINCE' : r < 0.7 ? 'CITY' : 'COUNTY';
  else if (dx.severity === 1) tier = r < 0.3 ? 'CITY' : r < 0.85 || h.township.street ? 'COUNTY' : 'TOWNSHIP';
  else tier = h.township.street ? (r < 0.3 ? 'CITY' : 'COUNTY') : r < 0.5 ? 'TOWNSHIP' : 'COUNTY';
  switch (tier) {
    case 'PROVINCE':
      return [tier, rng.pick(PROVINCE_HOSPITALS)];
    case 'CITY':
      return [tier, rng.pick(CITY_HOSPITALS[h.county.cityName])];
    case 'COUNTY':
      return [tier, `${h.county.name}${rng.chance(0.7) ? '人民医院' : '中医院'}`];
    case 'TOWNSHIP':
      return [tier, `${h.county.name}${h.township.base}镇卫生院`];
  }
}

function health(h: DemoDraw, rows: DemoRows, at: DemoReference): void {
  const rng = h.rng;
  const ref = at.day;
  h.members.forEach((m, mi) => {
    const a = m.age;
    let p = a < 6 ? 0.09 : a < 18 ? 0.025 : a < 45 ? 0.035 : a < 60 ? 0.07 : a < 75 ? 0.13 : 0.2;
    const birthing = m.gender === 'F' && a >= 22 && a <= 38 && rng.chance(0.06);
    if (m.death !== null) p = 0.6;
    if (!birthing && !rng.chance(p)) return;
    const stays = birthing ? 1 : rng.chance(0.7) ? 1 : rng.chance(0.67) ? 2 : 3;
    for (let s = 0; s < stays; s++) {
      const dx = birthing ? DX_BIRTH : (a < 18 ? DX_CHILD : a < 60 ? DX_ADULT : DX_ELDERLY).pick(rng);
      const los = rng.int(dx.los[0], dx.los[1]);
      const last = m.death ?? ref;
      const adm = m.death !== null && s === 0 ? last - los - rng.int(0, 60) : day(rng, Math.max(ref - 730, m.birth), last - los);
      if (adm === null || adm < m.birth) continue;
      const dscg = adm + los;
      if (dscg > last) continue;
      const setl = Math.min(last === ref ? ref : last + 10, dscg + (rng.chance(0.9) ? 0 : rng.int(1, 10)), ref);
      const [tier, hospitalName] = hospital(h, rng, dx);
      const t = TIERS[tier];
      const totalFen = Math.max(30000, Math.min(60000000, Math.round(rng.logNormal(dx.median * t.cost, 0.45)) * 100 + rng.int(0, 99)));
      const coveredFen = Math.round(totalFen * (1 - (0.05 + rng.next() * (tier === 'PROVINCE' ? 0.2 : 0.12))));
      const hifp = Math.min(25000000, Math.round(Math.max(0, coveredFen - t.deductible * 100) * t.rate));
      const status = statusOn(h, m, setl);
      const remaining = coveredFen - hifp;
      const threshold = status ? 750000 : 1500000;
      const hifmi = remaining > threshold ? Math.round((remaining - threshold) * (status ? 0.7 : 0.6)) : 0;
      const policyLeft = coveredFen - hifp - hifmi;
      const mafRatio = status === 'TEKUN' || status === 'ORPHAN' ? 1 : status === 'DIBAO' ? 0.7 : 0;
      const maf = Math.min(5000000, Math.round(policyLeft * mafRatio));
      const psn = totalFen - hifp - hifmi - maf;
      const setlId = `${h.county.code}${compactOf(setl)}${String(h.no + 1).padStart(9, '0')}${mi}${s}`;
      const reversed = rng.chance(0.01);
      rows.mi_setl.push([
        setlId, m.id, hospitalName, isoOf(adm), isoOf(dscg), isoOf(setl), dx.name,
        fenToYuan(totalFen), fenToYuan(hifp), fenToYuan(hifmi), fenToYuan(maf), fenToYuan(psn), reversed ? '1' : '0',
      ]);
      h.settlements.push({ member: m, setlId, setlDate: setl, psnFen: psn, reversed });
      // Medical aid paid afterwards (倾斜救助) for large out-of-pocket amounts.
      if (!reversed && (status || h.poor) && psn > 300000 && rng.chance(0.35)) {
        const over = rng.chance(DEMO_DEFECTS.aidOverOutOfPocket);
        const pay = over ? psn + fen(rng.int(100, 2000)) : Math.round(psn * (0.3 + 0.3 * rng.next()));
        const date = day(rng, setl + 15, Math.min(ref, setl + 90));
        if (date !== null) rows.mi_aid_pay.push([`MA${setlId}`, m.id, setlId, 'MAF', isoOf(date), fenToYuan(pay), validity(`MA${setlId}`)]);
      }
    }
  });
  // 参保资助: the resident insurance premium paid for 特困, orphans (in full) and 低保 members (in part).
  for (const year of [at.year - 1, at.year]) {
    const jan = dayNumber(year, 1, 1);
    const payDay = dayNumber(year - 1, 12, 10) + (h.no % 20);
    if (payDay > ref) continue;
    h.members.forEach((m, mi) => {
      const status = statusOn(h, m, jan);
      if (!status || !alive(m, jan)) return;
      const premium = premiumYuan(year) * 100;
      const pay = status === 'DIBAO' ? Math.round(premium * 0.7) : premium;
      rows.mi_aid_pay.push([`CB${year}${String(h.no + 1).padStart(10, '0')}${mi}`, m.id, null, 'CBZZ', isoOf(payDay), fenToYuan(pay), validity(`CB${year}${h.no}${mi}`)]);
    });
  }
}

/** 医保's facts of planted cases (tools/generate/plant.ts). */
const PLANT: DepartmentPlant = {
  settlement(s, setlId, who, settled, yuan) {
    s.push('mi_setl', {
      setl_id: setlId,
      psn_cert_no: who.id,
      fixmedins_name: '任城区人民医院',
      adm_date: addDays(settled, -7),
      dscg_date: settled,
      setl_date: settled,
      dise_name: '肺炎',
      medfee_sumamt: yuan.total.toFixed(2),
      hifp_pay: yuan.hifp.toFixed(2),
      hifmi_pay: yuan.hifmi.toFixed(2),
      maf_pay: yuan.maf.toFixed(2),
      psn_pay: yuan.psn.toFixed(2),
      refd_setl_flag: '0',
    });
  },
};

export const HEALTH_DEMO: DepartmentDemo = { tables: TABLES, steps: [{ rank: 20, run: health }], plant: PLANT };
