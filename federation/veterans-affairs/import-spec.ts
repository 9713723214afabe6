/**
 * The import files of 退役军人事务 (veterans affairs): one CSV file per table, `<table>.csv`,
 * declared for tools/import (federation/import-declaration.ts says what a declaration holds).
 * Amounts are yuan with two decimals, as the 优抚 system exports them.
 */
import { codes, numericCodes, type TableDeclaration } from '../import-declaration';
import { knjrBf, yfFxbz } from './tables';

export const VETERANS_AFFAIRS_IMPORT: Record<string, TableDeclaration> = {
  yf_fxbz: {
    target: 'VETERANS_AFFAIRS',
    drizzleTable: yfFxbz,
    doc: '优抚对象定期抚恤补助: monthly pensions of entitled groups, one row per entitlement spell.',
    columns: {
      fx_id: { doc: "the 优抚 system's spell number (positive integer)" },
      gmsfhm: { doc: 'ID number of the person entitled' },
      yfdxlb: {
        doc: 'entitled group',
        type: codes('01 残疾军人 disabled serviceman', '02 烈士遗属 martyr’s family', '03 带病回乡退伍军人 veteran ill from service', '04 参战参试退役军人 veteran of combat or tests', '05 在乡复员军人 demobilised veteran', '99 其他 other'),
      },
      ksrq: { doc: 'first day of the entitlement' },
      zzrq: { doc: 'last day of the entitlement, if known' },
      ybz: { doc: 'monthly pension, in yuan (two decimals)' },
      ffzt: { doc: 'state of payment', type: numericCodes('1 正常发放 paid', '2 暂停 suspended', '3 停发 stopped') },
    },
    periods: [{ start: 'ksrq', end: 'zzrq' }],
    idNumberColumns: ['gmsfhm'],
  },
  knjr_bf: {
    target: 'VETERANS_AFFAIRS',
    drizzleTable: knjrBf,
    doc: '困难退役军人帮扶援助: one-off hardship aid paid to a veteran.',
    columns: {
      bf_id: { doc: "the 优抚 system's payment number (positive integer)" },
      gmsfhm: { doc: 'ID number of the veteran aided' },
      bfrq: { doc: 'date paid' },
      bfje: { doc: 'amount paid, in yuan (two decimals)' },
      bfsy: { doc: 'the hardship aided, if recorded' },
    },
    idNumberColumns: ['gmsfhm'],
  },
};
