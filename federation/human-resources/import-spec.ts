/**
 * The import files of 人社 (human resources and social security): one CSV file per table,
 * `<table>.csv`, declared for tools/import (federation/import-declaration.ts says what a
 * declaration holds). Amounts are yuan with two decimals, as the department's systems export them.
 */
import { codes, digits, numericCodes, type TableDeclaration } from '../import-declaration';
import { gyxgwAp, jyBzFf, jyKnryRd, syBxjFf, syDjxx } from './tables';

export const HUMAN_RESOURCES_IMPORT: Record<string, TableDeclaration> = {
  jy_knry_rd: {
    target: 'HUMAN_RESOURCES',
    drizzleTable: jyKnryRd,
    doc: '就业困难人员认定: recognitions of hard-to-employ people.',
    columns: {
      rd_id: { doc: "the employment system's recognition number (positive integer)" },
      sfzhm: { doc: 'ID number of the person recognised' },
      rdlb: {
        doc: 'category recognised',
        type: codes('01 4050人员 (women over 40, men over 50)', '02 残疾人 disabled', '03 低保家庭成员 member of a 低保 household', '04 零就业家庭成员 zero-employment household', '05 长期失业人员 long-term unemployed', '99 其他 other'),
      },
      rdrq: { doc: 'date recognised' },
      yxqz: { doc: 'recognised until, if the recognition has a term' },
      rdzt: { doc: 'state of the recognition', type: numericCodes('1 有效 in force', '2 已退出 ended (employed or no longer eligible)') },
      jbjg: { doc: 'the county handling it (6-digit division code)', type: digits(6) },
    },
    periods: [{ start: 'rdrq', end: 'yxqz' }],
    idNumberColumns: ['sfzhm'],
  },
  sy_djxx: {
    target: 'HUMAN_RESOURCES',
    drizzleTable: syDjxx,
    doc: '失业登记: unemployment registrations, each a job loss.',
    columns: {
      dj_id: { doc: "the employment system's registration number (positive integer)" },
      sfzhm: { doc: 'ID number of the person registered' },
      syrq: { doc: 'date the job was lost' },
      djrq: { doc: 'date registered; not before the job was lost' },
      ygzdw: { doc: 'former employer, if any' },
      syyy: { doc: 'why the job ended', type: codes('01 劳动合同期满 contract ended', '02 单位裁员 laid off', '03 单位破产关闭 employer closed', '04 解除劳动合同 contract terminated', '05 个人辞职 resigned', '99 其他 other') },
      zxrq: { doc: 'date the registration was cancelled (re-employed or otherwise), if it was' },
    },
    periods: [
      { start: 'syrq', end: 'djrq' },
      { start: 'djrq', end: 'zxrq' },
    ],
    idNumberColumns: ['sfzhm'],
  },
  sy_bxj_ff: {
    target: 'HUMAN_RESOURCES',
    drizzleTable: syBxjFf,
    doc: '失业保险金: unemployment insurance benefit, one row per entitlement spell.',
    columns: {
      ff_id: { doc: "the insurance system's spell number (positive integer)" },
      sfzhm: { doc: 'ID number of the beneficiary' },
      ksrq: { doc: 'first day of the entitlement' },
      zzrq: { doc: 'last day of the entitlement, if known' },
      yffbz: { doc: 'monthly benefit, in yuan (two decimals)' },
      ffzt: { doc: 'state of payment', type: numericCodes('1 正常发放 paid', '2 暂停 suspended', '3 终止 stopped') },
    },
    periods: [{ start: 'ksrq', end: 'zzrq' }],
    idNumberColumns: ['sfzhm'],
  },
  gyxgw_ap: {
    target: 'HUMAN_RESOURCES',
    drizzleTable: gyxgwAp,
    doc: '公益性岗位: placements in public-welfare jobs, with the monthly post subsidy.',
    columns: {
      ap_id: { doc: "the employment system's placement number (positive integer)" },
      sfzhm: { doc: 'ID number of the person placed' },
      gwmc: { doc: 'the post' },
      yrdw: { doc: 'the employer (a township, a community, a public body)' },
      ksrq: { doc: 'first day of the placement' },
      jsrq: { doc: 'last day of the placement, if ended or fixed' },
      gwbt: { doc: 'post subsidy per month, in yuan (two decimals)' },
    },
    periods: [{ start: 'ksrq', end: 'jsrq' }],
    idNumberColumns: ['sfzhm'],
  },
  jy_bz_ff: {
    target: 'HUMAN_RESOURCES',
    drizzleTable: jyBzFf,
    doc: '就业补助资金: one-off employment grants paid to a person.',
    columns: {
      ff_id: { doc: "the employment system's payment number (positive integer)" },
      sfzhm: { doc: 'ID number of the person paid' },
      btlx: { doc: 'grant', type: codes('PX 职业培训补贴 training subsidy', 'QZ 求职创业补贴 job-seeking subsidy', 'YZ 一次性就业援助补贴 one-off employment aid') },
      ffrq: { doc: 'date paid' },
      ffje: { doc: 'amount paid, in yuan (two decimals)' },
      xmmc: { doc: 'the training course or the matter aided, if recorded' },
    },
    idNumberColumns: ['sfzhm'],
  },
};
