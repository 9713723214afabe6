/**
 * The import files of 残联 (disability): one CSV file per table, `<table>.csv`, declared
 * for tools/import (federation/import-declaration.ts says what a declaration holds).
 */
import { MONTH, codes, numericCodes, type TableDeclaration } from '../import-declaration';
import { clCertificate, clSubsidy, clRehabAid } from './tables';

export const DISABILITY_IMPORT: Record<string, TableDeclaration> = {
  cl_certificate: {
    target: 'DISABILITY',
    drizzleTable: clCertificate,
    doc: '第二代残疾人证: disability certificates.',
    columns: {
      cert_no: { doc: 'certificate number: the ID number, the category digit and the level digit (20 characters)' },
      id_card: { doc: 'ID number of the holder; must equal the first 18 characters of cert_no' },
      dis_type: {
        doc: 'category; must equal the 19th character of cert_no',
        type: numericCodes('1 视力 vision', '2 听力 hearing', '3 言语 speech', '4 肢体 physical', '5 智力 intellectual', '6 精神 mental', '7 多重 multiple'),
      },
      dis_level: {
        doc: 'level, 1 most severe; must equal the 20th character of cert_no',
        type: numericCodes('1 一级 (most severe)', '2 二级', '3 三级', '4 四级'),
      },
      issue_date: { doc: 'date issued' },
      valid_until: { doc: 'date valid until, if limited' },
      cert_status: { doc: 'state of the certificate', type: numericCodes('1 有效 valid', '2 过期 expired', '3 注销 revoked') },
    },
    periods: [{ start: 'issue_date', end: 'valid_until' }],
    crossRules: [
      {
        columns: ['cert_no', 'id_card'],
        doc: 'the first 18 characters of cert_no are id_card',
        check: (row) =>
          (row.cert_no as string).slice(0, 18) === row.id_card ? null : { column: 'id_card', code: 'MISMATCH', message: 'is not the ID number in cert_no' },
      },
      {
        columns: ['cert_no', 'dis_type'],
        doc: 'the 19th character of cert_no is dis_type',
        check: (row) =>
          (row.cert_no as string)[18] === String(row.dis_type) ? null : { column: 'dis_type', code: 'MISMATCH', message: 'is not the category digit (19th) of cert_no' },
      },
      {
        columns: ['cert_no', 'dis_level'],
        doc: 'the 20th character of cert_no is dis_level',
        check: (row) =>
          (row.cert_no as string)[19] === String(row.dis_level) ? null : { column: 'dis_level', code: 'MISMATCH', message: 'is not the level digit (20th) of cert_no' },
      },
    ],
    idNumberColumns: ['id_card'],
    certNoColumns: ['cert_no'],
  },
  cl_subsidy: {
    target: 'DISABILITY',
    drizzleTable: clSubsidy,
    doc: 'The two disability subsidies, paid by month.',
    columns: {
      sub_id: { doc: "the disability federation system's subsidy number (positive integer)" },
      cert_no: { doc: 'cl_certificate.cert_no (20 characters)' },
      sub_type: { doc: 'programme', type: codes('SH 困难残疾人生活补贴 living subsidy', 'HL 重度残疾人护理补贴 nursing subsidy') },
      start_ym: { doc: 'first month paid (YYYY-MM)', type: MONTH },
      end_ym: { doc: 'last month paid (YYYY-MM), if ended', type: MONTH },
      monthly_fen: { doc: 'monthly subsidy, in fen' },
      sub_status: { doc: 'state of the subsidy', type: numericCodes('1 发放中 paid', '2 暂停 suspended', '3 停发 stopped', '4 撤销追回 revoked, payments recovered') },
    },
    periods: [{ start: 'start_ym', end: 'end_ym' }],
    certNoColumns: ['cert_no'],
  },
  cl_rehab_aid: {
    target: 'DISABILITY',
    drizzleTable: clRehabAid,
    doc: '康复救助: rehabilitation aid grants.',
    columns: {
      id: { doc: "the disability federation system's record number (positive integer)" },
      cert_no: { doc: 'cl_certificate.cert_no (20 characters)' },
      service_name: { doc: 'rehabilitation service' },
      grant_date: { doc: 'date granted' },
      amount_fen: { doc: 'amount, in fen' },
      aid_status: { doc: 'state of the grant', type: numericCodes('1 已发放 paid', '2 已追回 recovered') },
    },
    certNoColumns: ['cert_no'],
  },
};
