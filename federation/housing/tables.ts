/**
 * 住房城乡建设 front-end tables: public rental housing by application and allocation (实物配租 or
 * 租赁补贴), and rural dilapidated-house renovation projects.
 */
import { bigint, char, date, index, int, mysqlTable, tinyint, varchar } from 'drizzle-orm/mysql-core';

export const gzfApplication = mysqlTable(
  'gzf_application',
  {
    appNo: varchar('app_no', { length: 24 }).primaryKey(),
    applicantIdCard: char('applicant_id_card', { length: 18 }).notNull(),
    familySize: tinyint('family_size').notNull(),
    regionCode: varchar('region_code', { length: 12 }).notNull(),
    applyDate: date('apply_date', { mode: 'string' }).notNull(),
    /** 10 受理, 20 审核通过, 30 已保障, 40 退出, 90 不予保障 */
    appStatus: tinyint('app_status').notNull(),
  },
  (t) => [index('gzf_application_applicant').on(t.applicantIdCard)],
);

export const gzfAllocation = mysqlTable(
  'gzf_allocation',
  {
    allocId: bigint('alloc_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    appNo: varchar('app_no', { length: 24 }).notNull(),
    /** SW 实物配租, BT 租赁补贴 */
    allocType: char('alloc_type', { length: 2 }).notNull(),
    /** 实物配租: rent relief per month; 租赁补贴: subsidy per month, in fen */
    monthlyFen: int('monthly_fen').notNull(),
    startDate: date('start_date', { mode: 'string' }).notNull(),
    endDate: date('end_date', { mode: 'string' }),
    unitAddress: varchar('unit_address', { length: 128 }),
  },
  (t) => [index('gzf_allocation_app').on(t.appNo)],
);

export const wfgzProject = mysqlTable(
  'wfgz_project',
  {
    projectId: varchar('project_id', { length: 24 }).primaryKey(),
    ownerIdCard: char('owner_id_card', { length: 18 }).notNull(),
    villageCode: char('village_code', { length: 12 }).notNull(),
    /** A, B, C, D: 危房等级 */
    dangerGrade: char('danger_grade', { length: 1 }).notNull(),
    grantFen: int('grant_fen').notNull(),
    completedDate: date('completed_date', { mode: 'string' }),
  },
  (t) => [index('wfgz_owner').on(t.ownerIdCard)],
);
