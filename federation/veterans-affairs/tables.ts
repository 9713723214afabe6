/**
 * 退役军人事务 (veterans affairs) front-end tables, as the 优抚 system keeps them: 优抚对象定期抚恤补助
 * (monthly pensions of entitled groups: disabled servicemen, martyrs' families, veterans who fell
 * ill in service, …; one row per entitlement spell, monthly standard in yuan) and 困难退役军人帮扶援助
 * (one-off hardship aid to veterans in difficulty). People are keyed by 公民身份号码 (`gmsfhm`).
 */
import { bigint, char, date, decimal, index, mysqlTable, tinyint, varchar } from 'drizzle-orm/mysql-core';

export const yfFxbz = mysqlTable(
  'yf_fxbz',
  {
    fxId: bigint('fx_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    gmsfhm: char('gmsfhm', { length: 18 }).notNull(),
    /** 优抚对象类别: 01 残疾军人, 02 烈士遗属, 03 带病回乡退伍军人, 04 参战参试退役军人, 05 在乡复员军人, 99 其他 */
    yfdxlb: char('yfdxlb', { length: 2 }).notNull(),
    /** 享受起始日期 and 终止日期 */
    ksrq: date('ksrq', { mode: 'string' }).notNull(),
    zzrq: date('zzrq', { mode: 'string' }),
    /** 月抚恤补助标准, in yuan */
    ybz: decimal('ybz', { precision: 10, scale: 2 }).notNull(),
    /** 1 正常发放, 2 暂停, 3 停发 */
    ffzt: tinyint('ffzt').notNull(),
  },
  (t) => [index('yf_fxbz_gmsfhm').on(t.gmsfhm)],
);

export const knjrBf = mysqlTable(
  'knjr_bf',
  {
    bfId: bigint('bf_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    gmsfhm: char('gmsfhm', { length: 18 }).notNull(),
    /** 帮扶日期 and 帮扶金额 (yuan) */
    bfrq: date('bfrq', { mode: 'string' }).notNull(),
    bfje: decimal('bfje', { precision: 10, scale: 2 }).notNull(),
    /** 帮扶事由 */
    bfsy: varchar('bfsy', { length: 128 }),
  },
  (t) => [index('knjr_bf_gmsfhm').on(t.gmsfhm)],
);
