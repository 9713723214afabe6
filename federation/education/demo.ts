/**
 * 教育's part of the demo population: the students the aid system knows (needy ones, and some
 * funded on their school's assessment) and their funding for the last two school years: boarding
 * subsidies, 国家助学金 and fee waivers by stage.
 *
 * Its steps share the household's random stream with the other first-release departments
 * (federation/demo-contract.ts, DemoStep), in rank order.
 */
import { fenToYuan } from '../../domain/money';
import type { SchoolStage } from '../../domain/school-stages';
import { ageOn, dayNumber, isoOf } from '../demo-calendar';
import type { DemoDraw, DemoReference, DemoRows, DepartmentDemo, DepartmentPlant } from '../demo-contract';
import { day, fen } from '../demo-kit';

const TABLES = {
  xs_student: ['student_no', 'sfzh', 'school_code', 'school_name', 'stage', 'grade', 'enrol_year', 'xj_status', 'leave_date'],
  xs_funding: ['student_no', 'school_year', 'semester', 'funding_type', 'amount_yuan', 'paid_date', 'paid_flag'],
} as const;

const UNIVERSITIES: ReadonlyArray<readonly [string, string]> = [
  ['10446', '曲阜师范大学'], ['10443', '济宁医学院'], ['10456', '济宁学院'], ['10422', '山东大学'], ['10445', '山东师范大学'],
  ['11065', '青岛大学'], ['10447', '聊城大学'], ['10424', '山东科技大学'], ['13857', '济宁职业技术学院'], ['10433', '山东理工大学'],
];

function education(h: DemoDraw, rows: DemoRows, at: DemoReference): void {
  const rng = h.rng;
  const ref = at.day;
  const y0 = at.month >= 9 ? at.year : at.year - 1;
  const needy = h.poor || h.dibaoSpells.size > 0 || h.tekunSpells.size > 0 || h.childSpells.size > 0 || h.members.some((m) => m.disability);
  for (const m of h.members) {
    if (m.death !== null || m.age < 5 || m.age > 23) continue;
    const ageAtSep = ageOn(m.birth, dayNumber(y0, 9, 1));
    const vocational = rng.chance(0.35);
    const college = rng.chance(0.55);
    const stageAt = (age: number): [string, number] | null => {
      if (age >= 6 && age <= 11) return ['XX', age - 5];
      if (age >= 12 && age <= 14) return ['CZ', age - 11];
      if (age >= 15 && age <= 17) return [vocational ? 'ZZ' : 'GZ', age - 14];
      if (age >= 18 && age <= 21 && college) return ['GX', age - 17];
      return null;
    };
    const current = stageAt(ageAtSep);
    if (!current) {
      // Finished senior secondary this summer and went no further: the roll keeps the entry as
      // graduated (毕业) with its leaving date, as the 学籍 system does. No draw: the stream is unchanged.
      if (needy && ageAtSep === 18) {
        const stage = vocational ? 'ZZ' : 'GZ';
        rows.xs_student.push([`G${m.id}`, m.id, stage === 'ZZ' ? `${h.county.code}400001` : `${h.county.code}300001`, stage === 'ZZ' ? `${h.county.name}职业中等专业学校` : `${h.county.name}第一中学`, stage, 3, String(y0 - 3), 'BY', `${y0}-06-30`]);
      }
      continue;
    }
    const [stage, grade] = current;
    // The aid system knows needy students, and others funded on their school's assessment.
    const known = needy ? rng.chance(0.97) : stage !== 'XX' && stage !== 'CZ' && rng.chance(0.08);
    if (!known) continue;
    const studentNo = `G${m.id}`;
    let schoolCode: string;
    let schoolName: string;
    const townshipNo = h.township.region.code.slice(6);
    switch (stage) {
      case 'XX':
        schoolCode = `${h.county.code}1${townshipNo}01`;
        schoolName = `${h.county.name}${h.township.base}${h.township.street ? '实验' : '中心'}小学`;
        break;
      case 'CZ':
        schoolCode = `${h.county.code}2${townshipNo}01`;
        schoolName = `${h.county.name}${h.township.base}${h.township.street ? '实验' : ''}中学`;
        break;
      case 'GZ': {
        const n = rng.int(1, 3);
        schoolCode = `${h.county.code}30000${n}`;
        schoolName = `${h.county.name}第${'一二三'[n - 1]}中学`;
        break;
      }
      case 'ZZ':
        schoolCode = `${h.county.code}400001`;
        schoolName = `${h.county.name}职业中等专业学校`;
        break;
      default: {
        const [code, name] = rng.pick(UNIVERSITIES);
        schoolCode = code;
        schoolName = name;
      }
    }
    rows.xs_student.push([studentNo, m.id, schoolCode, schoolName, stage, grade, String(y0 - grade + 1), 'ZX', null]);
    const boarding = !h.urban && rng.chance(0.6);
    const gradeTier = rng.next();
    for (const year of [y0 - 1, y0]) {
      const st = stageAt(ageOn(m.birth, dayNumber(year, 9, 1)));
      if (!st) continue;
      const schoolYear = `${year}-${year + 1}`;
      for (const semester of [1, 2]) {
        const paid = semester === 1 ? dayNumber(year, 10, 15) + rng.int(0, 45) : dayNumber(year + 1, 4, 1) + rng.int(0, 60);
        if (paid > ref || (needy && !rng.chance(0.9))) continue;
        const pay: Array<[string, number]> = [];
        switch (st[0]) {
          case 'XX':
            if (needy) pay.push(['JSSBZ', boarding ? 50000 : 25000]);
            break;
          case 'CZ':
            if (needy) pay.push(['JSSBZ', boarding ? 62500 : 31250]);
            break;
          case 'GZ':
            pay.push(['GJZXJ', gradeTier < 0.3 ? 125000 : gradeTier < 0.8 ? 100000 : 75000]);
            if (needy) pay.push(['XFJM', fen(rng.int(600, 900), 50)]);
            break;
          case 'ZZ':
            if (needy || !h.urban) pay.push(['XFJM', fen(rng.int(1000, 1500), 100)]);
            if (st[1] <= 2) pay.push(['GJZXJ', 100000]);
            break;
          case 'GX':
            pay.push(['GJZXJ', gradeTier < 0.3 ? 220000 : gradeTier < 0.8 ? 165000 : 110000]);
            break;
        }
        for (const [type, amountFen] of pay) {
          rows.xs_funding.push([studentNo, schoolYear, semester, type, fenToYuan(amountFen), isoOf(paid), rng.chance(0.01) ? 0 : 1]);
        }
      }
    }
  }
}

/** Each stage's and programme's code in education's tables (adapter.ts reads them back). */
const STAGE_CODES: Readonly<Record<SchoolStage, string>> = { PRIMARY: 'XX', JUNIOR_SECONDARY: 'CZ', SENIOR_SECONDARY: 'GZ', SECONDARY_VOCATIONAL: 'ZZ', HIGHER: 'GX' };
const FUNDING_CODES = { NATIONAL_GRANT: 'GJZXJ', TUITION_WAIVER: 'XFJM', BOARDING_SUBSIDY: 'JSSBZ' } as const;

/** 教育's facts of planted cases (tools/generate/plant.ts). */
const PLANT: DepartmentPlant = {
  student(s, studentNo, who, grade, stage, opts = {}) {
    s.push('xs_student', {
      student_no: studentNo,
      sfzh: who.id,
      school_code: '3708110001',
      school_name: stage === 'PRIMARY' ? '任城区演示小学' : '任城区演示中学',
      stage: STAGE_CODES[stage],
      grade,
      enrol_year: opts.enrolYear ?? String(Number(s.ref.slice(0, 4)) - grade),
      xj_status: opts.left ? 'BY' : 'ZX',
      leave_date: opts.left ?? null,
    });
  },
  funding(s, studentNo, schoolYear, paid, programme) {
    s.push('xs_funding', { student_no: studentNo, school_year: schoolYear, semester: 1, funding_type: FUNDING_CODES[programme], amount_yuan: '625.00', paid_date: paid, paid_flag: 1 });
  },
};

export const EDUCATION_DEMO: DepartmentDemo = { tables: TABLES, steps: [{ rank: 50, run: education }], plant: PLANT };
