/**
 * 工会's part of the demo population: hardship-worker files (more for poor households and heavy
 * hospital bills; some with a job loss), Spring Festival hardship aid, 金秋助学 for the worker's
 * children and illness aid tied to a family member's settlement (a few over its out-of-pocket
 * amount).
 *
 * Its steps share the household's random stream with the other first-release departments
 * (federation/demo-contract.ts, DemoStep), in rank order.
 */
import { addMonths } from '../../domain/findings/periods';
import { ageOn, civil, dayNumber, isoOf } from '../demo-calendar';
import type { DemoDraw, DemoReference, DemoRows, DepartmentDemo, DepartmentPlant } from '../demo-contract';
import { DEMO_DEFECTS, day, fen, seldom } from '../demo-kit';

/** About 1% of grants are later recovered (2 已追回) and 0.5% reversed (3 已冲销), as audits find. */
function grantStatus(key: string): number {
  return seldom(`recovered:${key}`, 10) ? 2 : seldom(`reversed:${key}`, 5) ? 3 : 1;
}

const TABLES = {
  gh_worker_file: ['file_no', 'id_card', 'employer', 'hardship_level', 'file_date', 'closed_date', 'job_lost_date'],
  gh_grant: ['file_no', 'grant_type', 'grant_date', 'amount_fen', 'student_id_card', 'school_year', 'setl_ref', 'grant_status'],
} as const;

const EMPLOYERS = [
  '山推工程机械股份有限公司', '兖矿能源集团股份有限公司', '山东太阳纸业股份有限公司', '山东鲁抗医药股份有限公司',
  '辰欣药业股份有限公司', '济宁市公共交通集团有限公司', '山东如意科技集团有限公司', '济宁银行股份有限公司',
  '山东华勤橡胶科技有限公司', '济宁市城市建设投资有限公司', '小松山推工程机械有限公司', '山东中科先进技术有限公司',
];
const SMALL_EMPLOYER_KINDS = ['建筑工程有限公司', '纺织有限公司', '食品有限公司', '物流有限公司', '机械制造有限公司', '商贸有限公司', '物业服务有限公司', '家政服务有限公司'];

function union(h: DemoDraw, rows: DemoRows, at: DemoReference): void {
  const rng = h.rng;
  const ref = at.day;
  const workers = h.members.filter((m) => m.age >= 20 && m.age <= 59 && (m.death === null || m.death > ref - 900));
  if (workers.length === 0) return;
  const heavyBill = h.settlements.some((s) => s.psnFen > 2000000);
  const p = h.poor ? 0.12 : heavyBill ? 0.06 : 0.0025;
  if (!rng.chance(p)) return;
  const worker = workers.find((m) => m.relation === 'HEAD' || m.relation === 'SPOUSE') ?? workers[0];
  const last = worker.death ?? ref;
  const fileDate = day(rng, Math.max(ref - 2000, worker.birth + 20 * 366), last - 1);
  if (fileDate === null) return;
  const fileNo = `GH${h.county.code}${String(h.no + 1).padStart(10, '0')}`;
  const level = !h.poor && heavyBill ? 3 : rng.chance(0.3) ? 1 : 2;
  let closed = rng.chance(0.25) ? day(rng, fileDate + 365, Math.min(ref - 1, fileDate + 365 * 3)) : null;
  if (worker.death !== null) closed = day(rng, worker.death, Math.min(ref, worker.death + 60)) ?? worker.death;
  const jobLost = rng.chance(0.25) ? day(rng, Math.max(worker.birth + 20 * 366, fileDate - 365), Math.min(last, fileDate + 365)) : null;
  const employer = rng.chance(0.45) ? rng.pick(EMPLOYERS) : `${h.county.cityName.replace('市', '')}${rng.pick(['恒达', '鑫源', '金桥', '宏泰', '华宇', '瑞丰', '鲁信', '诚信'])}${rng.pick(SMALL_EMPLOYER_KINDS)}`;
  rows.gh_worker_file.push([fileNo, worker.id, employer, level, isoOf(fileDate), closed === null ? null : isoOf(closed), jobLost === null ? null : isoOf(jobLost)]);
  const open = (dn: number): boolean => dn >= fileDate && (closed === null || dn <= closed) && dn <= last;

  // 困难帮扶 at each Spring Festival while the file is open.
  for (let y = civil(fileDate)[0]; y <= at.year; y++) {
    const date = dayNumber(y, 1, 10) + rng.int(0, 25);
    if (!open(date) || !rng.chance(0.8)) continue;
    rows.gh_grant.push([fileNo, 'BF', isoOf(date), level === 1 ? fen(rng.int(1000, 3000), 100) : fen(rng.int(500, 2000), 100), null, null, null, grantStatus(`${fileNo}/BF/${isoOf(date)}`)]);
  }
  // 金秋助学 for the worker's children in high school or university.
  for (const c of h.members) {
    if (c === worker || (c.relation !== 'CHILD' && c.relation !== 'GRANDCHILD') || c.death !== null) continue;
    for (let y = at.year - 2; y <= at.year; y++) {
      const age = ageOn(c.birth, dayNumber(y, 9, 1));
      const university = age >= 18 && age <= 21;
      if (!university && !(age >= 15 && age <= 17)) continue;
      const date = dayNumber(y, 8, 15) + rng.int(0, 45);
      if (!open(date) || !rng.chance(university ? 0.7 : 0.3)) continue;
      const amount = university ? fen(rng.int(3000, 5000), 500) : fen(rng.int(1000, 2000), 500);
      rows.gh_grant.push([fileNo, 'JQ', isoOf(date), amount, c.id, `${y}-${y + 1}`, null, grantStatus(`${fileNo}/JQ/${c.id}/${y}`)]);
    }
  }
  // 大病帮扶 tied to a settlement of the worker's family.
  for (const s of h.settlements) {
    if (s.reversed || s.psnFen < 500000 || !rng.chance(0.6)) continue;
    const date = day(rng, s.setlDate + 20, Math.min(ref, s.setlDate + 90));
    if (date === null || !open(date)) continue;
    const over = rng.chance(DEMO_DEFECTS.aidOverOutOfPocket);
    const amount = over ? s.psnFen + fen(rng.int(500, 3000), 100) : Math.min(2000000, fen((s.psnFen / 100) * (0.2 + 0.3 * rng.next()), 100));
    rows.gh_grant.push([fileNo, 'DB', isoOf(date), amount, null, null, s.setlId, grantStatus(`${fileNo}/DB/${s.setlId}`)]);
  }
}

/** 工会's facts of planted cases (tools/generate/plant.ts). */
const PLANT: DepartmentPlant = {
  workerFile(s, fileNo, who) {
    s.push('gh_worker_file', { file_no: fileNo, id_card: who.id, employer: '济宁演示企业', hardship_level: 2, file_date: addMonths(s.ref, -48), closed_date: null, job_lost_date: null });
  },
  unionGrant(s, fileNo, type, date, amountFen, extra) {
    s.push('gh_grant', { file_no: fileNo, grant_type: type, grant_date: date, amount_fen: amountFen, student_id_card: extra.student?.id ?? null, school_year: extra.schoolYear ?? null, setl_ref: extra.setlRef ?? null, grant_status: 1 });
  },
};

export const UNION_DEMO: DepartmentDemo = { tables: TABLES, steps: [{ rank: 70, run: union }], plant: PLANT };
