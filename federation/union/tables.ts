/**
 * 工会 front-end tables: hardship-worker files (困难职工档案) and the grants paid under them. A
 * 金秋助学 grant goes to the worker's child, named by the child's ID card.
 */
import { bigint, char, date, index, int, mysqlTable, tinyint, varchar } from 'drizzle-orm/mysql-core';
import { changeTime } from '../../db/change-marker';

export const ghWorkerFile = mysqlTable(
  'gh_worker_file',
  {
    fileNo: varchar('file_no', { length: 20 }).primaryKey(),
    idCard: char('id_card', { length: 18 }).notNull(),
    employer: varchar('employer', { length: 128 }).notNull(),
    /** 1 深度困难, 2 相对困难, 3 意外致困 */
    hardshipLevel: tinyint('hardship_level').notNull(),
    fileDate: date('file_date', { mode: 'string' }).notNull(),
    closedDate: date('closed_date', { mode: 'string' }),
    jobLostDate: date('job_lost_date', { mode: 'string' }),
    /** 更新时间: set by the database on every write (the hub's change marker) */
    updateTime: changeTime('update_time'),
  },
  (t) => [index('gh_worker_id').on(t.idCard), index('gh_worker_update').on(t.updateTime)],
);

export const ghGrant = mysqlTable(
  'gh_grant',
  {
    grantNo: bigint('grant_no', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    fileNo: varchar('file_no', { length: 20 }).notNull(),
    /** BF 困难帮扶, JQ 金秋助学, DB 大病帮扶 */
    grantType: char('grant_type', { length: 2 }).notNull(),
    grantDate: date('grant_date', { mode: 'string' }).notNull(),
    amountFen: int('amount_fen').notNull(),
    /** 金秋助学: the student funded */
    studentIdCard: char('student_id_card', { length: 18 }),
    schoolYear: char('school_year', { length: 9 }),
    /** 大病帮扶: the hospital settlement it relieves */
    setlRef: varchar('setl_ref', { length: 30 }),
    /** 1 已发放 (paid), 2 已追回 (recovered), 3 已冲销 (reversed) */
    grantStatus: tinyint('grant_status').notNull().default(1),
  },
  (t) => [index('gh_grant_file').on(t.fileNo), index('gh_grant_student').on(t.studentIdCard), index('gh_grant_setl').on(t.setlRef)],
);
