/**
 * The import files of 医保 (health): one CSV file per table, `<table>.csv`, declared
 * for tools/import (federation/import-declaration.ts says what a declaration holds).
 */
import { codes, yuanToFenExact, type TableDeclaration } from '../import-declaration';
import { miSettlement, miAidPayment } from './tables';

export const HEALTH_IMPORT: Record<string, TableDeclaration> = {
  mi_setl: {
    target: 'HEALTH',
    drizzleTable: miSettlement,
    doc: '结算记录: one row per inpatient settlement. Amounts in yuan.',
    columns: {
      setl_id: { doc: 'settlement number' },
      psn_cert_no: { doc: 'ID number of the patient' },
      fixmedins_name: { doc: 'hospital name' },
      adm_date: { doc: 'date admitted' },
      dscg_date: { doc: 'date discharged, if discharged' },
      setl_date: { doc: 'date settled' },
      dise_name: { doc: '主要诊断 main diagnosis (sensitive)' },
      medfee_sumamt: { doc: 'total medical cost, yuan' },
      hifp_pay: { doc: '基本医保统筹基金支出 basic insurance paid, yuan' },
      hifmi_pay: { doc: '大病保险支出 critical-illness insurance paid, yuan' },
      maf_pay: { doc: '医疗救助基金支出 medical aid paid, yuan' },
      psn_pay: { doc: '个人负担 out of pocket, yuan' },
      refd_setl_flag: { doc: 'reversal state', type: codes('0 正常 normal', '1 已冲销 reversed') },
    },
    periods: [
      { start: 'adm_date', end: 'dscg_date' },
      { start: 'adm_date', end: 'setl_date' },
    ],
    crossRules: [
      {
        columns: ['medfee_sumamt', 'hifp_pay', 'hifmi_pay', 'maf_pay', 'psn_pay'],
        doc: 'hifp_pay + hifmi_pay + maf_pay + psn_pay is not more than medfee_sumamt',
        check(row) {
          const parts = ['hifp_pay', 'hifmi_pay', 'maf_pay', 'psn_pay'].reduce((s, c) => s + yuanToFenExact(row[c] as string), 0);
          return parts <= yuanToFenExact(row.medfee_sumamt as string)
            ? null
            : { column: 'medfee_sumamt', code: 'PARTS_EXCEED_TOTAL', message: 'hifp_pay + hifmi_pay + maf_pay + psn_pay is more than the total cost' };
        },
      },
    ],
    idNumberColumns: ['psn_cert_no'],
  },
  mi_aid_pay: {
    target: 'HEALTH',
    drizzleTable: miAidPayment,
    doc: '救助支付: medical aid paid outside the one-stop settlement, and premium subsidies. Amounts in yuan.',
    columns: {
      pay_id: { doc: 'payment number' },
      psn_cert_no: { doc: 'ID number of the person' },
      setl_id: { doc: 'mi_setl.setl_id of the settlement this aid relieves, if any' },
      aid_type: { doc: 'programme', type: codes('MAF 医疗救助 medical aid', 'CBZZ 参保资助 premium subsidy') },
      pay_date: { doc: 'date paid' },
      pay_amt: { doc: 'amount paid, yuan' },
      vali_flag: { doc: '有效标志 (validity)', type: codes('1 有效 valid', '0 无效 reversed or recovered') },
    },
    idNumberColumns: ['psn_cert_no'],
  },
};
