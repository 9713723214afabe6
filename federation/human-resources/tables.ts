/**
 * 人社 (human resources and social security) front-end tables, as the employment and
 * unemployment-insurance systems keep them: 就业困难人员认定 (recognised hard-to-employ people),
 * 失业登记 (unemployment registrations: the job loss), 失业保险金 (benefit spells, monthly amount in
 * yuan), 公益性岗位 placements (a monthly post subsidy) and 就业补助资金 grants (职业培训补贴,
 * 求职创业补贴, 一次性就业援助补贴). People are keyed by 身份证号码 (`sfzhm`), as those systems do.
 */
import { bigint, char, date, decimal, index, mysqlTable, tinyint, varchar } from 'drizzle-orm/mysql-core';

export const jyKnryRd = mysqlTable(
  'jy_knry_rd',
  {
    rdId: bigint('rd_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    sfzhm: char('sfzhm', { length: 18 }).notNull(),
    /** 01 4050人员, 02 残疾人, 03 低保家庭成员, 04 零就业家庭成员, 05 长期失业人员, 99 其他 */
    rdlb: char('rdlb', { length: 2 }).notNull(),
    rdrq: date('rdrq', { mode: 'string' }).notNull(),
    /** 认定有效期至; empty while recognised without a term */
    yxqz: date('yxqz', { mode: 'string' }),
    /** 1 有效, 2 已退出 (就业或不再符合) */
    rdzt: tinyint('rdzt').notNull(),
    /** 经办机构: the county's division code */
    jbjg: char('jbjg', { length: 6 }).notNull(),
  },
  (t) => [index('jy_knry_rd_sfzhm').on(t.sfzhm)],
);

export const syDjxx = mysqlTable(
  'sy_djxx',
  {
    djId: bigint('dj_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    sfzhm: char('sfzhm', { length: 18 }).notNull(),
    /** 失业日期: the day the job was lost */
    syrq: date('syrq', { mode: 'string' }).notNull(),
    /** 登记日期 */
    djrq: date('djrq', { mode: 'string' }).notNull(),
    /** 原工作单位 */
    ygzdw: varchar('ygzdw', { length: 128 }),
    /** 01 劳动合同期满, 02 单位裁员, 03 单位破产关闭, 04 解除劳动合同, 05 个人辞职, 99 其他 */
    syyy: char('syyy', { length: 2 }).notNull(),
    /** 注销日期: re-employed or registration cancelled */
    zxrq: date('zxrq', { mode: 'string' }),
  },
  (t) => [index('sy_djxx_sfzhm').on(t.sfzhm)],
);

export const syBxjFf = mysqlTable(
  'sy_bxj_ff',
  {
    ffId: bigint('ff_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    sfzhm: char('sfzhm', { length: 18 }).notNull(),
    /** 享受起始日期 and 享受终止日期 (the last day of the entitled months) */
    ksrq: date('ksrq', { mode: 'string' }).notNull(),
    zzrq: date('zzrq', { mode: 'string' }),
    /** 月发放标准, in yuan */
    yffbz: decimal('yffbz', { precision: 10, scale: 2 }).notNull(),
    /** 1 正常发放, 2 暂停, 3 终止 */
    ffzt: tinyint('ffzt').notNull(),
  },
  (t) => [index('sy_bxj_ff_sfzhm').on(t.sfzhm)],
);

export const gyxgwAp = mysqlTable(
  'gyxgw_ap',
  {
    apId: bigint('ap_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    sfzhm: char('sfzhm', { length: 18 }).notNull(),
    /** 岗位名称 and 用人单位 */
    gwmc: varchar('gwmc', { length: 64 }).notNull(),
    yrdw: varchar('yrdw', { length: 128 }).notNull(),
    ksrq: date('ksrq', { mode: 'string' }).notNull(),
    jsrq: date('jsrq', { mode: 'string' }),
    /** 岗位补贴 per month, in yuan */
    gwbt: decimal('gwbt', { precision: 10, scale: 2 }).notNull(),
  },
  (t) => [index('gyxgw_ap_sfzhm').on(t.sfzhm)],
);

export const jyBzFf = mysqlTable(
  'jy_bz_ff',
  {
    ffId: bigint('ff_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    sfzhm: char('sfzhm', { length: 18 }).notNull(),
    /** PX 职业培训补贴, QZ 求职创业补贴, YZ 一次性就业援助补贴 */
    btlx: char('btlx', { length: 2 }).notNull(),
    ffrq: date('ffrq', { mode: 'string' }).notNull(),
    /** 发放金额, in yuan */
    ffje: decimal('ffje', { precision: 10, scale: 2 }).notNull(),
    /** 培训项目 or 援助事项 */
    xmmc: varchar('xmmc', { length: 64 }),
  },
  (t) => [index('jy_bz_ff_sfzhm').on(t.sfzhm)],
);
