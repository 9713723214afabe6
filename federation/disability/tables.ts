/**
 * 残联 front-end tables: second-generation disability certificates (20 characters: the ID number,
 * a category digit and a level digit) and the two subsidies and rehabilitation aid under them.
 * Subsidy periods are kept in months ('YYYY-MM'), as the subsidy system pays by month.
 */
import { bigint, char, date, index, int, mysqlTable, tinyint, varchar } from 'drizzle-orm/mysql-core';
import { changeTime } from '../../db/change-marker';

export const clCertificate = mysqlTable(
  'cl_certificate',
  {
    certNo: char('cert_no', { length: 20 }).primaryKey(),
    idCard: char('id_card', { length: 18 }).notNull(),
    /** 1 视力, 2 听力, 3 言语, 4 肢体, 5 智力, 6 精神, 7 多重 */
    disType: tinyint('dis_type').notNull(),
    /** 1 (most severe) to 4 */
    disLevel: tinyint('dis_level').notNull(),
    issueDate: date('issue_date', { mode: 'string' }).notNull(),
    validUntil: date('valid_until', { mode: 'string' }),
    /** 1 有效, 2 过期, 3 注销 */
    certStatus: tinyint('cert_status').notNull().default(1),
    /** 更新时间: set by the database on every write (the hub's change marker) */
    updateTime: changeTime('update_time'),
  },
  (t) => [index('cl_certificate_id').on(t.idCard), index('cl_certificate_update').on(t.updateTime)],
);

export const clSubsidy = mysqlTable(
  'cl_subsidy',
  {
    subId: bigint('sub_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    certNo: char('cert_no', { length: 20 }).notNull(),
    /** SH 困难残疾人生活补贴, HL 重度残疾人护理补贴 */
    subType: char('sub_type', { length: 2 }).notNull(),
    startYm: char('start_ym', { length: 7 }).notNull(),
    endYm: char('end_ym', { length: 7 }),
    monthlyFen: int('monthly_fen').notNull(),
    /** 1 发放中, 2 暂停 (suspended), 3 停发 (stopped), 4 撤销追回 (revoked, payments recovered) */
    subStatus: tinyint('sub_status').notNull().default(1),
  },
  (t) => [index('cl_subsidy_cert').on(t.certNo)],
);

export const clRehabAid = mysqlTable(
  'cl_rehab_aid',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    certNo: char('cert_no', { length: 20 }).notNull(),
    serviceName: varchar('service_name', { length: 64 }).notNull(),
    grantDate: date('grant_date', { mode: 'string' }).notNull(),
    amountFen: int('amount_fen').notNull(),
    /** 1 已发放 (paid), 2 已追回 (recovered) */
    aidStatus: tinyint('aid_status').notNull().default(1),
  },
  (t) => [index('cl_rehab_cert').on(t.certNo)],
);
