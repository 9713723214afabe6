/**
 * 教育 front-end tables, as a student-aid management system shares them: students by student
 * number, and funding per school year and semester. Amounts are stored in yuan (DECIMAL), as that
 * system does; the adapter converts to fen exactly.
 */
import { bigint, char, date, decimal, index, mysqlTable, tinyint, varchar } from 'drizzle-orm/mysql-core';
import { changeTime } from '../../db/change-marker';

export const xsStudent = mysqlTable(
  'xs_student',
  {
    studentNo: varchar('student_no', { length: 20 }).primaryKey(),
    sfzh: char('sfzh', { length: 18 }).notNull(),
    schoolCode: varchar('school_code', { length: 12 }).notNull(),
    schoolName: varchar('school_name', { length: 64 }).notNull(),
    /** 学段: XX 小学, CZ 初中, GZ 普通高中, ZZ 中职, GX 高校 */
    stage: char('stage', { length: 2 }).notNull(),
    grade: tinyint('grade').notNull(),
    enrolYear: char('enrol_year', { length: 4 }).notNull(),
    /**
     * 学籍状态 as the 学籍 system keeps it: ZX 在校 (in school), XX 休学 (suspended), BY 毕业
     * (graduated), ZC 转出 (transferred out), CX 辍学 (dropped out), SW 死亡 (died).
     */
    xjStatus: char('xj_status', { length: 2 }).notNull().default('ZX'),
    /** 离校日期: the day the student left (graduation, transfer, dropping out), if they have. */
    leaveDate: date('leave_date', { mode: 'string' }),
    /** 更新时间: set by the database on every write (the hub's change marker) */
    updateTime: changeTime('update_time'),
  },
  (t) => [index('xs_student_sfzh').on(t.sfzh), index('xs_student_update').on(t.updateTime)],
);

export const xsFunding = mysqlTable(
  'xs_funding',
  {
    fundingId: bigint('funding_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    studentNo: varchar('student_no', { length: 20 }).notNull(),
    /** e.g. "2025-2026" */
    schoolYear: char('school_year', { length: 9 }).notNull(),
    /** 1 秋季学期, 2 春季学期 */
    semester: tinyint('semester').notNull(),
    /** GJZXJ 国家助学金, XFJM 学费减免, JSSBZ 寄宿生生活费补助 */
    fundingType: varchar('funding_type', { length: 8 }).notNull(),
    amountYuan: decimal('amount_yuan', { precision: 10, scale: 2 }).notNull(),
    paidDate: date('paid_date', { mode: 'string' }).notNull(),
    /** 1 已发放, 0 已撤销 */
    paidFlag: tinyint('paid_flag').notNull().default(1),
  },
  (t) => [index('xs_funding_student').on(t.studentNo)],
);
