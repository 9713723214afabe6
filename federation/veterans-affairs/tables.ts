/**
 * 退役军人事务 (veterans affairs) front-end tables, as the 优抚 information system keeps them:
 * 优抚对象 (entitled persons, with their category), 定期抚恤补助 spells (a monthly amount in yuan) and
 * 帮扶援助 payments to veterans in hardship (one-off, for living or a child's schooling). People are
 * keyed by 身份证号 (`sfzh`), as that system does.
 */
import { bigint, char, date, decimal, index, mysqlTable, tinyint, varchar } from 'drizzle-orm/mysql-core';

export const yfdxXx = mysqlTable(
  'yfdx_xx',
  {
    dxId: bigint('dx_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    sfzh: char('sfzh', { length: 18 }).notNull(),
    /** 优抚类别: 11 残疾军人, 21 烈士遗属, 22 因公牺牲军人遗属, 23 病故军人遗属, 31 在乡复员军人, 32 带病回乡退伍军人, 33 参战参试退役人员, 41 农村籍退役士兵 */
    yflb: char('yflb', { length: 2 }).notNull(),
    rdrq: date('rdrq', { mode: 'string' }).notNull(),
    /** 1 在册, 2 注销 */
    dxzt: tinyint('dxzt').notNull(),
    /** 管理地: the county's division code */
    xzqh: char('xzqh', { length: 6 }).notNull(),
  },
  (t) => [index('yfdx_xx_sfzh').on(t.sfzh)],
);

export const dqfxFf = mysqlTable(
  'dqfx_ff',
  {
    ffId: bigint('ff_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    sfzh: char('sfzh', { length: 18 }).notNull(),
    /** 发放起始日期, 发放截止日期 (empty while paid without a term) */
    qsrq: date('qsrq', { mode: 'string' }).notNull(),
    jzrq: date('jzrq', { mode: 'string' }),
    /** 月标准, in yuan */
    ybz: decimal('ybz', { precision: 10, scale: 2 }).notNull(),
    /** 1 正常发放, 2 暂停发放, 3 停发 */
    ffzt: tinyint('ffzt').notNull(),
  },
  (t) => [index('dqfx_ff_sfzh').on(t.sfzh)],
);

export const bfyzJl = mysqlTable(
  'bfyz_jl',
  {
    jlId: bigint('jl_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    sfzh: char('sfzh', { length: 18 }).notNull(),
    /** SH 生活援助, JY 子女教育援助 */
    yzlx: char('yzlx', { length: 2 }).notNull(),
    ffrq: date('ffrq', { mode: 'string' }).notNull(),
    /** 援助金额, in yuan */
    yzje: decimal('yzje', { precision: 10, scale: 2 }).notNull(),
    /** 1 已发放, 9 已撤销 */
    jlzt: tinyint('jlzt').notNull(),
    /** 援助事由 */
    yzsy: varchar('yzsy', { length: 128 }),
  },
  (t) => [index('bfyz_jl_sfzh').on(t.sfzh)],
);
