/**
 * 住建's part of the demo population: public-rental applications in towns (in kind or as a rent
 * subsidy, a few holding both), and dilapidated-house renovation in the countryside.
 *
 * Its steps share the household's random stream with the other first-release departments
 * (federation/demo-contract.ts, DemoStep), in rank order.
 */
import { addDays } from '../../domain/dates';
import { civil, isoOf } from '../demo-calendar';
import type { DemoDraw, DemoReference, DemoRows, DepartmentDemo, DepartmentPlant } from '../demo-contract';
import { DEMO_DEFECTS, alive, day, fen } from '../demo-kit';

const TABLES = {
  gzf_application: ['app_no', 'applicant_id_card', 'family_size', 'region_code', 'apply_date', 'app_status'],
  gzf_allocation: ['app_no', 'alloc_type', 'monthly_fen', 'start_date', 'end_date', 'unit_address'],
  wfgz_project: ['project_id', 'owner_id_card', 'village_code', 'danger_grade', 'grant_fen', 'completed_date'],
} as const;

const RENTAL_ESTATES = ['惠民家园', '安居苑', '康馨小区', '和谐家园', '幸福里小区', '同心苑', '安泰花园', '保障房东区'];

/** The monthly rent subsidy of an approved application not yet in force (¥300, fen). */
const PENDING_SUBSIDY_FEN = 30_000;

function housing(h: DemoDraw, rows: DemoRows, at: DemoReference): void {
  const rng = h.rng;
  const ref = at.day;
  const head = h.members[0];
  const needy = h.poor || h.dibaoSpells.size > 0 || h.tekunSpells.size > 0;
  const year = (dn: number): number => civil(dn)[0];
  if (h.urban) {
    if (!rng.chance(needy ? 0.3 : 0.012)) return;
    const apply = day(rng, Math.max(h.formed, ref - 2500), Math.min(head.death ?? ref, ref - 20));
    if (apply === null) return;
    const appNo = `GZF${h.county.code}${year(apply)}${String(h.no + 1).padStart(9, '0')}`;
    const r = rng.next();
    let status = r < 0.05 ? 10 : r < 0.15 ? 20 : r < 0.85 ? 30 : r < 0.95 ? 40 : 90;
    const size = h.members.filter((m) => alive(m, apply)).length;
    const allocs: Array<[string, number, number | null, number?]> = [];
    if (status === 30 || status === 40) {
      const start = day(rng, apply + 60, Math.min(ref, apply + 300));
      if (start === null) status = 20;
      else {
        const end = status === 40 || (head.death !== null && h.members.every((m) => m.death !== null)) ? day(rng, start + 180, ref) : null;
        if (status === 40 && end === null) status = 30;
        const type = rng.chance(0.4) ? 'SW' : 'BT';
        allocs.push([type, start, end]);
        if (rng.chance(DEMO_DEFECTS.bothRentalForms)) allocs.push([type === 'SW' ? 'BT' : 'SW', day(rng, start, ref) ?? start, null]);
      }
    } else if (status === 20 && apply >= ref - 120) {
      // Approved in the last four months, its rent subsidy entered ahead of being put in force: the
      // hub reads it PENDING, counted nowhere. No draw of the household's random stream, so the rest
      // of the population stays as it was.
      allocs.push(['BT', apply + 60, null, PENDING_SUBSIDY_FEN]);
    }
    rows.gzf_application.push([appNo, head.id, Math.max(1, size), h.village.code, isoOf(apply), status]);
    for (const [type, start, end, fixedFen] of allocs) {
      const monthly = fixedFen ?? (type === 'SW' ? fen(rng.int(150, 450), 10) : fen(rng.int(200, 700), 10));
      const unit = type === 'SW' ? `${h.county.name}${rng.pick(RENTAL_ESTATES)}${rng.int(1, 30)}号楼${rng.int(1, 3)}单元${rng.int(1, 11)}0${rng.int(1, 4)}室` : null;
      rows.gzf_allocation.push([appNo, type, monthly, isoOf(start), end === null ? null : isoOf(end), unit]);
    }
  } else {
    if (!rng.chance(needy ? 0.1 : 0.004)) return;
    const started = day(rng, Math.max(h.formed, ref - 365 * 6), Math.min(head.death ?? ref, ref - 30));
    if (started === null) return;
    const grade = rng.chance(0.4) ? 'C' : 'D';
    const grant = grade === 'D' ? fen(rng.int(18000, 35000), 100) : fen(rng.int(5000, 12000), 100);
    const completed = rng.chance(0.85) ? day(rng, started + 90, Math.min(ref, started + 540)) : null;
    rows.wfgz_project.push([`WF${h.county.code}${year(started)}${String(h.no + 1).padStart(9, '0')}`, head.id, h.village.code, grade, grant, completed === null ? null : isoOf(completed)]);
  }
}

/** 住建's facts of planted cases (tools/generate/plant.ts). */
const PLANT: DepartmentPlant = {
  rental(s, appNo, who, allocations) {
    s.push('gzf_application', { app_no: appNo, applicant_id_card: who.id, family_size: 2, region_code: s.village, apply_date: addDays(allocations[0].start, -60), app_status: 30 });
    for (const a of allocations) s.push('gzf_allocation', { app_no: appNo, alloc_type: a.type, monthly_fen: a.type === 'SW' ? 60_000 : 45_000, start_date: a.start, end_date: a.end, unit_address: null });
  },
};

export const HOUSING_DEMO: DepartmentDemo = { tables: TABLES, steps: [{ rank: 60, run: housing }], plant: PLANT };
