/**
 * The import files of 工会 (union): one CSV file per table, `<table>.csv`, declared
 * for tools/import (federation/import-declaration.ts says what a declaration holds).
 */
import { SCHOOL_YEAR, codes, numericCodes, type TableDeclaration } from '../import-declaration';
import { ghWorkerFile, ghGrant } from './tables';

export const UNION_IMPORT: Record<string, TableDeclaration> = {
  gh_worker_file: {
    target: 'UNION',
    drizzleTable: ghWorkerFile,
    doc: '困难职工档案: hardship-worker files.',
    columns: {
      file_no: { doc: 'file number' },
      id_card: { doc: 'ID number of the worker' },
      employer: { doc: 'employer' },
      hardship_level: { doc: 'kind of hardship', type: numericCodes('1 深度困难 deep', '2 相对困难 relative', '3 意外致困 by accident') },
      file_date: { doc: 'date the file was opened' },
      closed_date: { doc: 'date the file was closed, if closed' },
      job_lost_date: { doc: 'date the worker lost their job, if they did' },
    },
    periods: [{ start: 'file_date', end: 'closed_date' }],
    idNumberColumns: ['id_card'],
  },
  gh_grant: {
    target: 'UNION',
    drizzleTable: ghGrant,
    doc: 'Grants paid under a hardship-worker file. A 金秋助学 grant names the student funded.',
    columns: {
      grant_no: { doc: "the union system's grant number (positive integer)" },
      file_no: { doc: 'gh_worker_file.file_no' },
      grant_type: { doc: 'programme', type: codes('BF 困难帮扶 hardship aid', 'JQ 金秋助学 autumn education aid', 'DB 大病帮扶 illness aid') },
      grant_date: { doc: 'date granted' },
      amount_fen: { doc: 'amount, in fen' },
      student_id_card: { doc: '金秋助学: ID number of the student funded (required for JQ)' },
      school_year: { doc: '金秋助学: school year, e.g. 2025-2026 (required for JQ)', type: SCHOOL_YEAR },
      setl_ref: { doc: '大病帮扶: the settlement number (setl_id) medical insurance gave the hospital settlement it relieves, if known' },
      grant_status: { doc: 'state of the grant', type: numericCodes('1 已发放 paid', '2 已追回 recovered', '3 已冲销 reversed') },
    },
    requiredWhen: [
      { column: 'student_id_card', when: { column: 'grant_type', values: ['JQ'] } },
      { column: 'school_year', when: { column: 'grant_type', values: ['JQ'] } },
    ],
    idNumberColumns: ['student_id_card'],
  },
};
