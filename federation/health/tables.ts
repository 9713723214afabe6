/**
 * 医保 front-end tables, named as the national medical insurance platform names its fields
 * (psn_cert_no, medfee_sumamt, hifp_pay, hifmi_pay, maf_pay, psn_pay). Amounts in yuan, DECIMAL.
 */
import { char, date, decimal, index, mysqlTable, varchar } from 'drizzle-orm/mysql-core';
import { changeTime } from '../../db/change-marker';

/** 结算记录: one row per inpatient settlement. */
export const miSettlement = mysqlTable(
  'mi_setl',
  {
    setlId: varchar('setl_id', { length: 30 }).primaryKey(),
    psnCertNo: char('psn_cert_no', { length: 18 }).notNull(),
    fixmedinsName: varchar('fixmedins_name', { length: 64 }).notNull(),
    admDate: date('adm_date', { mode: 'string' }).notNull(),
    dscgDate: date('dscg_date', { mode: 'string' }),
    setlDate: date('setl_date', { mode: 'string' }).notNull(),
    /** 主要诊断 — sensitive */
    diseName: varchar('dise_name', { length: 64 }),
    medfeeSumamt: decimal('medfee_sumamt', { precision: 12, scale: 2 }).notNull(),
    /** 基本医保统筹基金支出 */
    hifpPay: decimal('hifp_pay', { precision: 12, scale: 2 }).notNull(),
    /** 大病保险支出 */
    hifmiPay: decimal('hifmi_pay', { precision: 12, scale: 2 }).notNull(),
    /** 医疗救助基金支出 */
    mafPay: decimal('maf_pay', { precision: 12, scale: 2 }).notNull(),
    /** 个人负担 */
    psnPay: decimal('psn_pay', { precision: 12, scale: 2 }).notNull(),
    /** 0 正常, 1 已冲销 */
    refdSetlFlag: char('refd_setl_flag', { length: 1 }).notNull().default('0'),
    /** 更新时间: set by the database on every write (the hub's change marker) */
    updtTime: changeTime('updt_time'),
  },
  (t) => [index('mi_setl_psn').on(t.psnCertNo), index('mi_setl_updt').on(t.updtTime)],
);

/** 救助支付: medical aid paid outside the one-stop settlement, and premium subsidies. */
export const miAidPayment = mysqlTable(
  'mi_aid_pay',
  {
    payId: varchar('pay_id', { length: 30 }).primaryKey(),
    psnCertNo: char('psn_cert_no', { length: 18 }).notNull(),
    /** the settlement this aid is tied to, if any */
    setlId: varchar('setl_id', { length: 30 }),
    /** MAF 医疗救助, CBZZ 参保资助 */
    aidType: varchar('aid_type', { length: 6 }).notNull(),
    payDate: date('pay_date', { mode: 'string' }).notNull(),
    payAmt: decimal('pay_amt', { precision: 12, scale: 2 }).notNull(),
    /** vali_flag 有效标志, as the medical-insurance standard writes it: '1' valid, '0' reversed (冲销) or recovered */
    valiFlag: char('vali_flag', { length: 1 }).notNull().default('1'),
    /** 更新时间: set by the database on every write (the hub's change marker) */
    updtTime: changeTime('updt_time'),
  },
  (t) => [index('mi_aid_pay_psn').on(t.psnCertNo), index('mi_aid_pay_setl').on(t.setlId), index('mi_aid_pay_updt').on(t.updtTime)],
);
