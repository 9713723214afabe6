/**
 * The import files of 民政 (civil affairs): one CSV file per table, `<table>.csv`, declared
 * for tools/import (federation/import-declaration.ts says what a declaration holds).
 */
import { digits, codes, numericCodes, type TableDeclaration } from '../import-declaration';
import { dibaoFamily, dibaoMember, tekunPerson, tempAidGrant, childAllowance, dcMonitorRoll } from './tables';

export const CIVIL_AFFAIRS_IMPORT: Record<string, TableDeclaration> = {
  dibao_family: {
    target: 'CIVIL_AFFAIRS',
    drizzleTable: dibaoFamily,
    doc: '低保家庭: one row per enrolled family and enrolment spell.',
    columns: {
      family_no: { doc: '低保家庭编号 (family number)' },
      county_code: { doc: 'county division code (6 digits)', type: digits(6) },
      head_id_no: { doc: 'ID number of the head of the family' },
      area_type: { doc: 'urban or rural 低保', type: numericCodes('1 城市低保 urban', '2 农村低保 rural') },
      approved_on: { doc: 'date enrolment was approved' },
      ended_on: { doc: 'date enrolment ended, if it ended' },
      state_flag: { doc: 'state of the enrolment', type: numericCodes('0 在保 enrolled', '1 停保 ended', '2 暂停 suspended') },
    },
    periods: [{ start: 'approved_on', end: 'ended_on' }],
    idNumberColumns: ['head_id_no'],
  },
  dibao_member: {
    target: 'CIVIL_AFFAIRS',
    drizzleTable: dibaoMember,
    doc: "低保家庭成员: each member's own spell and monthly share of the family's allowance.",
    columns: {
      family_no: { doc: 'dibao_family.family_no' },
      id_no: { doc: 'ID number of the member' },
      relation_to_head: { doc: 'relation to the head as the civil affairs system writes it (e.g. 本人, 配偶, 子女)' },
      joined_on: { doc: 'date the member joined the enrolment' },
      left_on: { doc: 'date the member left, if they left' },
      monthly_share_fen: { doc: "the member's monthly share of the allowance, in fen" },
    },
    periods: [{ start: 'joined_on', end: 'left_on' }],
    idNumberColumns: ['id_no'],
  },
  tekun_person: {
    target: 'CIVIL_AFFAIRS',
    drizzleTable: tekunPerson,
    doc: '特困人员: persons receiving extreme-poverty support.',
    columns: {
      tk_id: { doc: "the civil affairs system's record number (positive integer)" },
      id_no: { doc: 'ID number of the person' },
      county_code: { doc: 'county division code (6 digits)', type: digits(6) },
      care_mode: { doc: 'mode of support', type: numericCodes('1 分散供养 dispersed', '2 集中供养 institutional') },
      start_on: { doc: 'start of support' },
      end_on: { doc: 'end of support, if ended' },
      monthly_fen: { doc: 'monthly support, in fen' },
      state_flag: { doc: 'state of the support', type: numericCodes('0 在保 enrolled', '1 停保 ended', '2 暂停 suspended') },
    },
    periods: [{ start: 'start_on', end: 'end_on' }],
    idNumberColumns: ['id_no'],
  },
  temp_aid_grant: {
    target: 'CIVIL_AFFAIRS',
    drizzleTable: tempAidGrant,
    doc: '临时救助发放: one row per temporary aid grant.',
    columns: {
      grant_id: { doc: "the civil affairs system's grant number (positive integer)" },
      id_no: { doc: 'ID number of the person aided' },
      family_no: { doc: '低保 family number, if the person is in a 低保 family' },
      cause_code: {
        doc: 'cause of the hardship',
        type: codes('01 疾病 illness', '02 意外事故 accident', '03 自然灾害 disaster', '04 失业 job loss', '05 教育 education', '99 其他 other'),
      },
      is_urgent: { doc: '急难 (urgent) aid: 1 yes, 0 no' },
      is_second_aid: { doc: '二次临时救助 (second aid approved for heavy costs): 1 yes, 0 no' },
      grant_date: { doc: 'date granted' },
      amount_fen: { doc: 'amount granted, in fen' },
      approval_level: { doc: 'who approved', type: numericCodes('1 乡镇审批 township', '2 县级审批 county') },
      revoked: { doc: 'grant revoked', type: numericCodes('0 有效 standing', '1 撤销 revoked') },
    },
    idNumberColumns: ['id_no'],
  },
  child_allowance: {
    target: 'CIVIL_AFFAIRS',
    drizzleTable: childAllowance,
    doc: '孤儿 / 事实无人抚养儿童 basic living allowances.',
    columns: {
      id: { doc: "the civil affairs system's record number (positive integer)" },
      child_id_no: { doc: 'ID number of the child' },
      category: { doc: 'programme', type: codes('GE 孤儿 orphan', 'SW 事实无人抚养儿童 de facto unsupported child') },
      start_on: { doc: 'start of the allowance' },
      end_on: { doc: 'end of the allowance, if ended' },
      monthly_fen: { doc: 'monthly allowance, in fen' },
      state_flag: { doc: 'state of the allowance', type: numericCodes('0 发放中 paid', '1 停发 ended', '2 暂停 suspended') },
      revoked: { doc: 'allowance revoked and its payments recovered', type: numericCodes('0 有效 standing', '1 撤销 revoked, payments recovered') },
    },
    periods: [{ start: 'start_on', end: 'end_on' }],
    idNumberColumns: ['child_id_no'],
  },
  dc_monitor_roll: {
    target: 'CIVIL_AFFAIRS',
    drizzleTable: dcMonitorRoll,
    doc: '低收入人口动态监测: the monitored low-income roll, one row per person and spell on it.',
    columns: {
      jc_id: { doc: "the monitoring platform's record number (positive integer, growing)" },
      id_no: { doc: 'ID number of the person monitored' },
      county_code: { doc: 'county division code (6 digits)', type: digits(6) },
      jclb: {
        doc: 'monitoring category',
        type: codes('01 低保边缘家庭 just above the 低保 line', '02 刚性支出困难家庭 crushing essential spending', '03 易返贫致贫人口 at risk of (returning to) poverty', '09 其他低收入人口 other low-income'),
      },
      nrrq: { doc: 'date put on the roll' },
      tcrq: { doc: 'date taken off the roll, if taken off' },
    },
    periods: [{ start: 'nrrq', end: 'tcrq' }],
    idNumberColumns: ['id_no'],
  },
};
