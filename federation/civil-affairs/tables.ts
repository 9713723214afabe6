/**
 * 民政 front-end tables, as a civil affairs assistance system shares them: 低保 by family with
 * its members' shares, 特困 persons, temporary aid grants, and child allowances.
 */
import { bigint, boolean, char, date, index, int, mysqlTable, primaryKey, tinyint, varchar } from 'drizzle-orm/mysql-core';
import { changeTime } from '../../db/change-marker';

/** 低保家庭: one row per enrolled family and enrolment spell. */
export const dibaoFamily = mysqlTable(
  'dibao_family',
  {
    familyNo: varchar('family_no', { length: 24 }).primaryKey(),
    countyCode: char('county_code', { length: 6 }).notNull(),
    headIdNo: char('head_id_no', { length: 18 }).notNull(),
    /** 1 城市低保, 2 农村低保 */
    areaType: tinyint('area_type').notNull(),
    approvedOn: date('approved_on', { mode: 'string' }).notNull(),
    endedOn: date('ended_on', { mode: 'string' }),
    /** 0 在保, 1 停保, 2 暂停 */
    stateFlag: tinyint('state_flag').notNull().default(0),
    /** last change: set by the database on every write (the hub's change marker) */
    updatedAt: changeTime('updated_at'),
  },
  (t) => [index('dibao_family_head').on(t.headIdNo), index('dibao_family_updated').on(t.updatedAt)],
);

/** 低保家庭成员: each member's own spell and monthly share of the family's allowance. */
export const dibaoMember = mysqlTable(
  'dibao_member',
  {
    familyNo: varchar('family_no', { length: 24 }).notNull(),
    idNo: char('id_no', { length: 18 }).notNull(),
    relationToHead: varchar('relation_to_head', { length: 8 }).notNull(),
    joinedOn: date('joined_on', { mode: 'string' }).notNull(),
    leftOn: date('left_on', { mode: 'string' }),
    monthlyShareFen: int('monthly_share_fen').notNull(),
    /** last change: set by the database on every write (the hub's change marker) */
    updatedAt: changeTime('updated_at'),
  },
  (t) => [primaryKey({ columns: [t.familyNo, t.idNo, t.joinedOn] }), index('dibao_member_id').on(t.idNo), index('dibao_member_updated').on(t.updatedAt)],
);

/** 特困人员 */
export const tekunPerson = mysqlTable(
  'tekun_person',
  {
    tkId: bigint('tk_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    idNo: char('id_no', { length: 18 }).notNull(),
    countyCode: char('county_code', { length: 6 }).notNull(),
    /** 1 分散供养, 2 集中供养 */
    careMode: tinyint('care_mode').notNull(),
    startOn: date('start_on', { mode: 'string' }).notNull(),
    endOn: date('end_on', { mode: 'string' }),
    monthlyFen: int('monthly_fen').notNull(),
    stateFlag: tinyint('state_flag').notNull().default(0),
  },
  (t) => [index('tekun_id').on(t.idNo)],
);

/** 临时救助发放: one row per grant. */
export const tempAidGrant = mysqlTable(
  'temp_aid_grant',
  {
    grantId: bigint('grant_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    idNo: char('id_no', { length: 18 }).notNull(),
    familyNo: varchar('family_no', { length: 24 }),
    /** 01 疾病, 02 意外事故, 03 自然灾害, 04 失业, 05 教育, 99 其他 */
    causeCode: char('cause_code', { length: 2 }).notNull(),
    /** 急难 */
    isUrgent: boolean('is_urgent').notNull().default(false),
    /** 二次临时救助 approved for heavy costs */
    isSecondAid: boolean('is_second_aid').notNull().default(false),
    grantDate: date('grant_date', { mode: 'string' }).notNull(),
    amountFen: int('amount_fen').notNull(),
    /** 1 乡镇审批, 2 县级审批 */
    approvalLevel: tinyint('approval_level').notNull(),
    /** 0 有效, 1 撤销. An integer, not a boolean: read as one, a value its system wrote besides 0 and 1 (2) read as not revoked. */
    revoked: tinyint('revoked').notNull().default(0),
  },
  (t) => [index('temp_aid_id').on(t.idNo)],
);

/** 孤儿 / 事实无人抚养儿童 allowances. */
export const childAllowance = mysqlTable(
  'child_allowance',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    childIdNo: char('child_id_no', { length: 18 }).notNull(),
    /** GE 孤儿, SW 事实无人抚养 */
    category: char('category', { length: 2 }).notNull(),
    startOn: date('start_on', { mode: 'string' }).notNull(),
    endOn: date('end_on', { mode: 'string' }),
    monthlyFen: int('monthly_fen').notNull(),
    /** 0 发放中, 1 停发 (ended), 2 暂停 (suspended), as for 低保 and 特困 */
    stateFlag: tinyint('state_flag').notNull().default(0),
    /** 1 撤销: the allowance was wrongly granted and its payments recovered; it never counted. 0 not revoked. An integer, as temp_aid_grant.revoked */
    revoked: tinyint('revoked').notNull().default(0),
  },
  (t) => [index('child_allowance_id').on(t.childIdNo)],
);

/**
 * 低收入人口动态监测: the monitored low-income roll, one row per person and spell on it, as a
 * provincial monitoring platform shares it. 监测类别 jclb: 01 低保边缘家庭成员, 02 刚性支出困难家庭成员,
 * 03 易返贫致贫人口, 09 其他低收入人口. Rows are added with a growing record number (jc_id).
 */
export const dcMonitorRoll = mysqlTable(
  'dc_monitor_roll',
  {
    jcId: bigint('jc_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    idNo: char('id_no', { length: 18 }).notNull(),
    countyCode: char('county_code', { length: 6 }).notNull(),
    jclb: char('jclb', { length: 2 }).notNull(),
    /** 纳入日期 */
    nrrq: date('nrrq', { mode: 'string' }).notNull(),
    /** 退出日期, null while monitored */
    tcrq: date('tcrq', { mode: 'string' }),
  },
  (t) => [index('dc_monitor_roll_id').on(t.idNo)],
);
