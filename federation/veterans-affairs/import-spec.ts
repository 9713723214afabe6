/**
 * The import files of 退役军人事务 (veterans affairs): one CSV file per table, `<table>.csv`,
 * declared for tools/import (federation/import-declaration.ts says what a declaration holds).
 * Amounts are yuan with two decimals, as the 优抚 system exports them.
 */
import { codes, digits, numericCodes, type TableDeclaration } from '../import-declaration';
import { bfyzJl, dqfxFf, yfdxXx } from './tables';

export const VETERANS_AFFAIRS_IMPORT: Record<string, TableDeclaration> = {
  yfdx_xx: {
    target: 'VETERANS_AFFAIRS',
    drizzleTable: yfdxXx,
    doc: '优抚对象: persons entitled to 优抚 (preferential treatment), with their category.',
    columns: {
      dx_id: { doc: "the 优抚 system's person number (positive integer)" },
      sfzh: { doc: 'ID number of the entitled person' },
      yflb: {
        doc: 'category',
        type: codes('11 残疾军人 disabled serviceman', '21 烈士遗属 martyr’s survivor', '22 因公牺牲军人遗属 survivor of one killed on duty', '23 病故军人遗属 survivor of one who died of illness', '31 在乡复员军人 demobilised veteran', '32 带病回乡退伍军人 veteran returned home ill', '33 参战参试退役人员 veteran of combat or weapons tests', '41 农村籍退役士兵 rural ex-soldier'),
      },
      rdrq: { doc: 'date recognised' },
      dxzt: { doc: 'state on the register', type: numericCodes('1 在册 on the register', '2 注销 removed') },
      xzqh: { doc: 'the county managing the person (6-digit division code)', type: digits(6) },
    },
    idNumberColumns: ['sfzh'],
  },
  dqfx_ff: {
    target: 'VETERANS_AFFAIRS',
    drizzleTable: dqfxFf,
    doc: '定期抚恤补助: periodic allowances, one row per spell with its monthly amount.',
    columns: {
      ff_id: { doc: "the 优抚 system's spell number (positive integer)" },
      sfzh: { doc: 'ID number of the beneficiary' },
      qsrq: { doc: 'first day paid' },
      jzrq: { doc: 'last day paid, if ended or fixed' },
      ybz: { doc: 'monthly amount, in yuan (two decimals)' },
      ffzt: { doc: 'state of payment', type: numericCodes('1 正常发放 paid', '2 暂停发放 suspended', '3 停发 stopped') },
    },
    periods: [{ start: 'qsrq', end: 'jzrq' }],
    idNumberColumns: ['sfzh'],
  },
  bfyz_jl: {
    target: 'VETERANS_AFFAIRS',
    drizzleTable: bfyzJl,
    doc: '帮扶援助: one-off aid to veterans in hardship.',
    columns: {
      jl_id: { doc: "the 优抚 system's payment number (positive integer)" },
      sfzh: { doc: 'ID number of the person aided' },
      yzlx: { doc: 'kind of help', type: codes('SH 生活援助 living aid', 'JY 子女教育援助 aid for a child’s schooling') },
      ffrq: { doc: 'date paid' },
      yzje: { doc: 'amount paid, in yuan (two decimals)' },
      jlzt: { doc: 'state of the payment', type: numericCodes('1 已发放 paid', '9 已撤销 revoked') },
      yzsy: { doc: 'why it was given, if recorded' },
    },
    idNumberColumns: ['sfzh'],
  },
};
