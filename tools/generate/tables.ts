/**
 * The tables the generator fills, in load order, with the database each lives in and the columns
 * it writes (auto-increment keys are left to the database). Rows are plain arrays in column order.
 */
import { DEPARTMENT_CODES, type DepartmentCode } from '../../domain/departments';
import { ADAPTERS } from '../../federation/registry';

export type Target = 'HUB' | DepartmentCode;
export type Cell = string | number | null;
export type Row = Cell[];

const CORE_TABLES = {
  household: { target: 'HUB', columns: ['id', 'registration_no', 'region_code', 'address'] },
  person: { target: 'HUB', columns: ['id_number', 'name', 'gender', 'birth_date', 'death_date'] },
  household_member: { target: 'HUB', columns: ['household_id', 'id_number', 'relation', 'joined_on', 'left_on'] },

  dibao_family: { target: 'CIVIL_AFFAIRS', columns: ['family_no', 'county_code', 'head_id_no', 'area_type', 'approved_on', 'ended_on', 'state_flag'] },
  dibao_member: { target: 'CIVIL_AFFAIRS', columns: ['family_no', 'id_no', 'relation_to_head', 'joined_on', 'left_on', 'monthly_share_fen'] },
  tekun_person: { target: 'CIVIL_AFFAIRS', columns: ['id_no', 'county_code', 'care_mode', 'start_on', 'end_on', 'monthly_fen', 'state_flag'] },
  temp_aid_grant: {
    target: 'CIVIL_AFFAIRS',
    columns: ['id_no', 'family_no', 'cause_code', 'is_urgent', 'is_second_aid', 'grant_date', 'amount_fen', 'approval_level', 'revoked'],
  },
  child_allowance: { target: 'CIVIL_AFFAIRS', columns: ['child_id_no', 'category', 'start_on', 'end_on', 'monthly_fen'] },

  xs_student: { target: 'EDUCATION', columns: ['student_no', 'sfzh', 'school_code', 'school_name', 'stage', 'grade', 'enrol_year'] },
  xs_funding: { target: 'EDUCATION', columns: ['student_no', 'school_year', 'semester', 'funding_type', 'amount_yuan', 'paid_date', 'paid_flag'] },

  gzf_application: { target: 'HOUSING', columns: ['app_no', 'applicant_id_card', 'family_size', 'region_code', 'apply_date', 'app_status'] },
  gzf_allocation: { target: 'HOUSING', columns: ['app_no', 'alloc_type', 'monthly_fen', 'start_date', 'end_date', 'unit_address'] },
  wfgz_project: { target: 'HOUSING', columns: ['project_id', 'owner_id_card', 'village_code', 'danger_grade', 'grant_fen', 'completed_date'] },

  mi_setl: {
    target: 'HEALTH',
    columns: [
      'setl_id', 'psn_cert_no', 'fixmedins_name', 'adm_date', 'dscg_date', 'setl_date', 'dise_name',
      'medfee_sumamt', 'hifp_pay', 'hifmi_pay', 'maf_pay', 'psn_pay', 'refd_setl_flag',
    ],
  },
  mi_aid_pay: { target: 'HEALTH', columns: ['pay_id', 'psn_cert_no', 'setl_id', 'aid_type', 'pay_date', 'pay_amt'] },

  gh_worker_file: { target: 'UNION', columns: ['file_no', 'id_card', 'employer', 'hardship_level', 'file_date', 'closed_date', 'job_lost_date'] },
  gh_grant: { target: 'UNION', columns: ['file_no', 'grant_type', 'grant_date', 'amount_fen', 'student_id_card', 'school_year', 'setl_ref'] },

  cl_certificate: { target: 'DISABILITY', columns: ['cert_no', 'id_card', 'dis_type', 'dis_level', 'issue_date', 'valid_until', 'cert_status'] },
  cl_subsidy: { target: 'DISABILITY', columns: ['cert_no', 'sub_type', 'start_ym', 'end_ym', 'monthly_fen'] },
  cl_rehab_aid: { target: 'DISABILITY', columns: ['cert_no', 'service_name', 'grant_date', 'amount_fen'] },
} as const satisfies Record<string, { target: Target; columns: readonly string[] }>;

/** The tables of departments that write their own part of the demo (`demo` of their folder). */
const DEPARTMENT_DEMO_TABLES: Record<string, { target: Target; columns: readonly string[] }> = Object.fromEntries(
  DEPARTMENT_CODES.flatMap((code) => Object.entries(ADAPTERS[code].demo?.tables ?? {}).map(([table, columns]) => [table, { target: code, columns }])),
);

export const TABLES: Readonly<Record<keyof typeof CORE_TABLES, { target: Target; columns: readonly string[] }> & Record<string, { target: Target; columns: readonly string[] }>> = {
  ...CORE_TABLES,
  ...DEPARTMENT_DEMO_TABLES,
};

export type TableName = keyof typeof CORE_TABLES | (string & {});
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

/** Reference tables in the hub, loaded once per run rather than per chunk. */
export const REFERENCE_TABLES = ['region', 'programme'] as const;

export type TableRows = Record<TableName, Row[]>;

export function emptyRows(): TableRows {
  return Object.fromEntries(TABLE_NAMES.map((t) => [t, []])) as unknown as TableRows;
}

/** The value of one named column in a row of a table (for tests and checks). */
export function cell(table: TableName, row: Row, column: string): Cell {
  const i = (TABLES[table].columns as readonly string[]).indexOf(column);
  if (i < 0) throw new Error(`${table} has no column ${column}`);
  return row[i];
}
