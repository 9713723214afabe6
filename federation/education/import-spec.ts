/**
 * The import files of 教育 (education): one CSV file per table, `<table>.csv`, declared
 * for tools/import (federation/import-declaration.ts says what a declaration holds).
 */
import { SCHOOL_YEAR, YEAR, digits, codes, numericCodes, int, type TableDeclaration } from '../import-declaration';
import { xsStudent, xsFunding } from './tables';

export const EDUCATION_IMPORT: Record<string, TableDeclaration> = {
  xs_student: {
    target: 'EDUCATION',
    drizzleTable: xsStudent,
    doc: 'Students, by student number.',
    columns: {
      student_no: { doc: '学籍号 (student number)' },
      sfzh: { doc: 'ID number of the student' },
      school_code: { doc: 'school code' },
      school_name: { doc: 'school name' },
      stage: {
        doc: '学段 (stage of schooling)',
        type: codes('XX 小学 primary', 'CZ 初中 junior secondary', 'GZ 普通高中 senior secondary', 'ZZ 中职 vocational secondary', 'GX 高校 higher education'),
      },
      grade: { doc: 'grade within the stage, 1–12', type: int(1, 12) },
      enrol_year: { doc: 'year of enrolment (4 digits)', type: YEAR },
      xj_status: {
        doc: '学籍状态 (enrolment status)',
        type: codes('ZX 在校 in school', 'XX 休学 suspended', 'BY 毕业 graduated', 'ZC 转出 transferred out', 'CX 辍学 dropped out', 'SW 死亡 died'),
      },
      leave_date: { doc: '离校日期: the day the student left school, if they have' },
    },
    idNumberColumns: ['sfzh'],
  },
  xs_funding: {
    target: 'EDUCATION',
    drizzleTable: xsFunding,
    doc: 'Student aid paid per school year and semester. Amounts in yuan.',
    columns: {
      funding_id: { doc: "the education system's funding record number (positive integer)" },
      student_no: { doc: 'xs_student.student_no' },
      school_year: { doc: 'school year, e.g. 2025-2026', type: SCHOOL_YEAR },
      semester: { doc: 'semester', type: numericCodes('1 秋季学期 autumn', '2 春季学期 spring') },
      funding_type: { doc: 'programme', type: codes('GJZXJ 国家助学金 national grant', 'XFJM 学费减免 tuition waiver', 'JSSBZ 寄宿生生活费补助 boarding subsidy') },
      amount_yuan: { doc: 'amount in yuan (≥ 0, at most 2 decimals)' },
      paid_date: { doc: 'date paid' },
      paid_flag: { doc: 'payment state', type: numericCodes('1 已发放 paid', '0 已撤销 revoked') },
    },
  },
};
