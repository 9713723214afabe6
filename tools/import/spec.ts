/**
 * What an import file must look like: one CSV file per table, `<table>.csv`, with a header row
 * naming every column of the table. The column list, NOT NULL-ness, lengths, integer widths and
 * DECIMAL precision come from the drizzle tables themselves (db/household/schema.ts, federation/x/tables.ts);
 * what drizzle cannot say (that a CHAR(18) is an ID number, that a TINYINT is a code with these
 * meanings, that an INT counts fen, which dates bound a period) is declared here, as data.
 *
 * Building the specs throws if a declaration and its drizzle table disagree (a column declared
 * that the table lacks, or a table column left undeclared), so the two cannot drift apart.
 */
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type MySqlColumn, type MySqlTable } from 'drizzle-orm/mysql-core';
import { household, householdMember, person, region } from '../../db/household/schema';
import { childAllowance, dibaoFamily, dibaoMember, tekunPerson, tempAidGrant } from '../../federation/civil-affairs/tables';
import { clCertificate, clRehabAid, clSubsidy } from '../../federation/disability/tables';
import { xsFunding, xsStudent } from '../../federation/education/tables';
import { miAidPayment, miSettlement } from '../../federation/health/tables';
import { gzfAllocation, gzfApplication, wfgzProject } from '../../federation/housing/tables';
import { ghGrant, ghWorkerFile } from '../../federation/union/tables';
import type { DepartmentCode } from '../../domain/departments';

/** Where a table lives: the hub's own database or one department's front-end database. */
export type Target = 'HUB' | DepartmentCode;

/** The largest value of a MySQL INT (fen columns are INT). */
export const INT_MAX = 2_147_483_647;

export type ColumnType =
  /** Free text up to maxLength characters (VARCHAR/CHAR length, counted in characters). */
  | { kind: 'text'; maxLength: number }
  /** Digits only, of one of the given lengths (administrative division codes). */
  | { kind: 'digits'; lengths: readonly number[] }
  /** One of a closed list of codes, each [code, meaning]; `numeric` codes are stored in an integer column. */
  | { kind: 'code'; codes: readonly (readonly [string, string])[]; numeric: boolean }
  | { kind: 'int'; min: number; max: number }
  /** Money in integer fen, 0 ≤ fen ≤ INT_MAX. */
  | { kind: 'fen' }
  /** Money in yuan as DECIMAL(precision, scale): ≥ 0, at most `scale` decimals. */
  | { kind: 'yuan'; precision: number; scale: number }
  /** 0 or 1. */
  | { kind: 'bool' }
  /** YYYY-MM-DD, a real calendar date. */
  | { kind: 'date' }
  /** YYYY-MM. */
  | { kind: 'month' }
  /** 公民身份号码, 18 characters with a valid check character. */
  | { kind: 'idNumber' }
  /** 第二代残疾人证号: ID number + category digit 1–7 + level digit 1–4. */
  | { kind: 'certNo' }
  /** A school year such as 2025-2026 (two consecutive years). */
  | { kind: 'schoolYear' }
  /** A four-digit year. */
  | { kind: 'year' };

export interface ColumnSpec {
  /** The column's name in the database and in the CSV header. */
  name: string;
  /** The drizzle property name, used to build inserts. */
  key: string;
  /** A value is required (the column is NOT NULL). Columns with a database default are still required. */
  required: boolean;
  type: ColumnType;
  doc: string;
}

/** A period whose end may not be before its start (both inclusive; an empty end is open). */
export interface PeriodRule {
  start: string;
  end: string;
}

/** A column that becomes required when another column holds one of some codes. */
export interface RequiredWhenRule {
  column: string;
  when: { column: string; values: readonly string[] };
}

/** A problem a row rule finds; `column` is where it is reported. */
export interface RuleProblem {
  column: string;
  code: string;
  message: string;
}

/**
 * A check across several columns of one row. It sees the row's values already parsed and
 * normalised (text trimmed, ID numbers upper-cased, numbers as numbers, yuan as strings), and is
 * only called when every column it names parsed without error.
 */
export interface CrossRule {
  columns: readonly string[];
  doc: string;
  check(row: Readonly<Record<string, unknown>>): RuleProblem | null;
}

export interface TableSpec {
  table: string;
  target: Target;
  doc: string;
  drizzleTable: MySqlTable;
  columns: readonly ColumnSpec[];
  /** Column names of the primary key (the upsert key). */
  primaryKey: readonly string[];
  /** Other unique keys (also checked for duplicates within a file). */
  uniqueKeys: readonly (readonly string[])[];
  periods: readonly PeriodRule[];
  requiredWhen: readonly RequiredWhenRule[];
  crossRules: readonly CrossRule[];
}

// ---------------------------------------------------------------------------------------------
// Declarations

interface ColumnDeclaration {
  doc: string;
  /** Overrides the type derived from the drizzle column. */
  type?: ColumnType;
}

interface TableDeclaration {
  target: Target;
  drizzleTable: MySqlTable;
  doc: string;
  columns: Record<string, ColumnDeclaration>;
  periods?: PeriodRule[];
  requiredWhen?: RequiredWhenRule[];
  crossRules?: CrossRule[];
}

const ID_NUMBER: ColumnType = { kind: 'idNumber' };
const CERT_NO: ColumnType = { kind: 'certNo' };
const MONTH: ColumnType = { kind: 'month' };
const SCHOOL_YEAR: ColumnType = { kind: 'schoolYear' };
const YEAR: ColumnType = { kind: 'year' };
const digits = (...lengths: number[]): ColumnType => ({ kind: 'digits', lengths });
/** Codes as `'code meaning'` strings, in the order given: `codes('SW 实物配租', 'BT 租赁补贴')`. */
function codeList(list: string[]): [string, string][] {
  return list.map((entry) => {
    const i = entry.indexOf(' ');
    return i < 0 ? [entry, entry] : [entry.slice(0, i), entry.slice(i + 1)];
  });
}
const codes = (...list: string[]): ColumnType => ({ kind: 'code', codes: codeList(list), numeric: false });
const numericCodes = (...list: string[]): ColumnType => ({ kind: 'code', codes: codeList(list), numeric: true });
const int = (min: number, max: number): ColumnType => ({ kind: 'int', min, max });

function yuanToFenExact(yuan: string): number {
  const [whole, frac = ''] = yuan.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

const DECLARATIONS: Record<string, TableDeclaration> = {
  // --- hub -----------------------------------------------------------------------------------
  region: {
    target: 'HUB',
    drizzleTable: region,
    doc: 'Administrative divisions (GB/T 2260; 9- and 12-digit statistical codes below county).',
    columns: {
      code: { doc: 'division code: 6 digits for province, city and county, 9 for township, 12 for village', type: digits(6, 9, 12) },
      name: { doc: 'name of the division' },
      level: { doc: 'level of the division' },
      parent_code: { doc: 'code of the division above; empty for a province', type: digits(6, 9, 12) },
    },
    crossRules: [
      {
        columns: ['code', 'level'],
        doc: 'the code has 6 digits for PROVINCE, CITY and COUNTY, 9 for TOWNSHIP, 12 for VILLAGE',
        check(row) {
          const want = row.level === 'VILLAGE' ? 12 : row.level === 'TOWNSHIP' ? 9 : 6;
          const code = row.code as string;
          return code.length === want ? null : { column: 'code', code: 'LEVEL_MISMATCH', message: `a ${row.level} code has ${want} digits` };
        },
      },
    ],
  },
  household: {
    target: 'HUB',
    drizzleTable: household,
    doc: "Households known to the hub. `id` is the hub's household number; household_member.csv refers to it.",
    columns: {
      id: { doc: "the hub's household number (positive integer); kept as given so re-imports update the same row" },
      registration_no: { doc: "户籍登记号 or the locality's own household number; unique" },
      region_code: { doc: 'the most precise division known: township (9 digits) or village (12 digits)', type: digits(9, 12) },
      address: { doc: 'address' },
    },
  },
  person: {
    target: 'HUB',
    drizzleTable: person,
    doc: 'People known to the hub, keyed by ID number.',
    columns: {
      id_number: { doc: '公民身份号码 (GB 11643), 18 characters, check character verified; lower-case x is accepted and stored as X' },
      name: { doc: 'name' },
      gender: { doc: 'gender; must agree with the ID number (17th digit odd = M)' },
      birth_date: { doc: 'date of birth; must agree with digits 7–14 of the ID number' },
      death_date: { doc: 'date of death, if dead' },
    },
    periods: [{ start: 'birth_date', end: 'death_date' }],
    crossRules: [
      {
        columns: ['id_number', 'birth_date'],
        doc: 'birth_date equals the birth date in the ID number',
        check(row) {
          const id = row.id_number as string;
          const fromId = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
          return row.birth_date === fromId ? null : { column: 'birth_date', code: 'MISMATCH', message: 'does not agree with the birth date in id_number' };
        },
      },
      {
        columns: ['id_number', 'gender'],
        doc: 'gender agrees with the ID number (17th digit odd = M, even = F)',
        check(row) {
          const fromId = Number((row.id_number as string)[16]) % 2 === 1 ? 'M' : 'F';
          return row.gender === fromId ? null : { column: 'gender', code: 'MISMATCH', message: 'does not agree with the sex digit (17th) of id_number' };
        },
      },
    ],
  },
  household_member: {
    target: 'HUB',
    drizzleTable: householdMember,
    doc: 'Membership of people in households over time.',
    columns: {
      household_id: { doc: 'household.id of the household', type: int(1, Number.MAX_SAFE_INTEGER) },
      id_number: { doc: 'ID number of the member' },
      relation: { doc: 'relation to the head of household' },
      joined_on: { doc: 'date the person joined the household' },
      left_on: { doc: 'date the person left, if they left' },
    },
    periods: [{ start: 'joined_on', end: 'left_on' }],
  },

  // --- 民政 civil affairs ----------------------------------------------------------------------
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
      revoked: { doc: 'grant revoked: 1 yes, 0 no' },
    },
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
    },
    periods: [{ start: 'start_on', end: 'end_on' }],
  },

  // --- 教育 education -------------------------------------------------------------------------
  xs_student: {
    target: 'EDUCATION',
    drizzleTable: xsStudent,
    doc: 'Students, by student number.',
    columns: {
      student_no: { doc: '学籍号 (student number)' },
      sfzh: { doc: 'ID number of the student' },
      school_code: { doc: 'school code' },
      school_name: { doc: 'school name' },
      stage: {
        doc: '学段 (stage of schooling)',
        type: codes('XX 小学 primary', 'CZ 初中 junior secondary', 'GZ 普通高中 senior secondary', 'ZZ 中职 vocational secondary', 'GX 高校 higher education'),
      },
      grade: { doc: 'grade within the stage, 1–12', type: int(1, 12) },
      enrol_year: { doc: 'year of enrolment (4 digits)', type: YEAR },
    },
  },
  xs_funding: {
    target: 'EDUCATION',
    drizzleTable: xsFunding,
    doc: 'Student aid paid per school year and semester. Amounts in yuan.',
    columns: {
      funding_id: { doc: "the education system's funding record number (positive integer)" },
      student_no: { doc: 'xs_student.student_no' },
      school_year: { doc: 'school year, e.g. 2025-2026', type: SCHOOL_YEAR },
      semester: { doc: 'semester', type: numericCodes('1 秋季学期 autumn', '2 春季学期 spring') },
      funding_type: { doc: 'programme', type: codes('GJZXJ 国家助学金 national grant', 'XFJM 学费减免 tuition waiver', 'JSSBZ 寄宿生生活费补助 boarding subsidy') },
      amount_yuan: { doc: 'amount in yuan (≥ 0, at most 2 decimals)' },
      paid_date: { doc: 'date paid' },
      paid_flag: { doc: 'payment state', type: numericCodes('1 已发放 paid', '0 已撤销 revoked') },
    },
  },

  // --- 住建 housing ---------------------------------------------------------------------------
  gzf_application: {
    target: 'HOUSING',
    drizzleTable: gzfApplication,
    doc: '公租房 public rental housing applications.',
    columns: {
      app_no: { doc: 'application number' },
      applicant_id_card: { doc: 'ID number of the applicant' },
      family_size: { doc: 'number of people in the applying family, 1–99', type: int(1, 99) },
      region_code: { doc: 'division code of the applicant (6, 9 or 12 digits)', type: digits(6, 9, 12) },
      apply_date: { doc: 'date of application' },
      app_status: {
        doc: 'state of the application',
        type: numericCodes('10 受理 accepted', '20 审核通过 approved', '30 已保障 housed', '40 退出 exited', '90 不予保障 refused'),
      },
    },
  },
  gzf_allocation: {
    target: 'HOUSING',
    drizzleTable: gzfAllocation,
    doc: '公租房 allocations under an application: 实物配租 (a flat) or 租赁补贴 (rent subsidy).',
    columns: {
      alloc_id: { doc: "the housing system's allocation number (positive integer)" },
      app_no: { doc: 'gzf_application.app_no' },
      alloc_type: { doc: 'programme', type: codes('SW 实物配租 public rental flat', 'BT 租赁补贴 rent subsidy') },
      monthly_fen: { doc: '实物配租: rent relief per month; 租赁补贴: subsidy per month; in fen' },
      start_date: { doc: 'start of the allocation' },
      end_date: { doc: 'end of the allocation, if ended' },
      unit_address: { doc: 'address of the flat (实物配租)' },
    },
    periods: [{ start: 'start_date', end: 'end_date' }],
  },
  wfgz_project: {
    target: 'HOUSING',
    drizzleTable: wfgzProject,
    doc: '农村危房改造 rural dilapidated-house renovation projects.',
    columns: {
      project_id: { doc: 'project number' },
      owner_id_card: { doc: 'ID number of the owner' },
      village_code: { doc: 'village division code (12 digits)', type: digits(12) },
      danger_grade: { doc: '危房等级 (danger grade)', type: codes('A 安全 sound', 'B 个别构件危险 some members unsafe', 'C 局部危房 partly dangerous', 'D 整栋危房 wholly dangerous') },
      grant_fen: { doc: 'renovation grant, in fen' },
      completed_date: { doc: 'date completed, if completed' },
    },
  },

  // --- 医保 health ----------------------------------------------------------------------------
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
    },
  },

  // --- 工会 union -----------------------------------------------------------------------------
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
      setl_ref: { doc: '大病帮扶: mi_setl.setl_id of the hospital settlement it relieves, if known' },
    },
    requiredWhen: [
      { column: 'student_id_card', when: { column: 'grant_type', values: ['JQ'] } },
      { column: 'school_year', when: { column: 'grant_type', values: ['JQ'] } },
    ],
  },

  // --- 残联 disability ------------------------------------------------------------------------
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
    },
    periods: [{ start: 'start_ym', end: 'end_ym' }],
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
    },
  },
};

/** Columns holding ID numbers, by table; declared apart so the list is easy to audit. */
const ID_NUMBER_COLUMNS: Record<string, readonly string[]> = {
  person: ['id_number'],
  household_member: ['id_number'],
  dibao_family: ['head_id_no'],
  dibao_member: ['id_no'],
  tekun_person: ['id_no'],
  temp_aid_grant: ['id_no'],
  child_allowance: ['child_id_no'],
  xs_student: ['sfzh'],
  gzf_application: ['applicant_id_card'],
  wfgz_project: ['owner_id_card'],
  mi_setl: ['psn_cert_no'],
  mi_aid_pay: ['psn_cert_no'],
  gh_worker_file: ['id_card'],
  gh_grant: ['student_id_card'],
  cl_certificate: ['id_card'],
};

/** Columns holding disability certificate numbers, by table. */
const CERT_NO_COLUMNS: Record<string, readonly string[]> = {
  cl_certificate: ['cert_no'],
  cl_subsidy: ['cert_no'],
  cl_rehab_aid: ['cert_no'],
};

// ---------------------------------------------------------------------------------------------
// Deriving the specs from drizzle

/** The type a drizzle column implies, before any declaration overrides it. */
function derivedType(column: MySqlColumn): ColumnType {
  const c = column as MySqlColumn & { length?: number; precision?: number; scale?: number; autoIncrement?: boolean };
  switch (column.columnType) {
    case 'MySqlVarChar':
    case 'MySqlChar':
      return { kind: 'text', maxLength: c.length ?? 255 };
    case 'MySqlDateString':
      return { kind: 'date' };
    case 'MySqlTinyInt':
      return int(-128, 127);
    case 'MySqlInt':
      return column.name.endsWith('_fen') ? { kind: 'fen' } : int(-INT_MAX - 1, INT_MAX);
    case 'MySqlBigInt53':
      return int(c.autoIncrement ? 1 : 0, Number.MAX_SAFE_INTEGER);
    case 'MySqlDecimal':
      return { kind: 'yuan', precision: c.precision ?? 10, scale: c.scale ?? 2 };
    case 'MySqlBoolean':
      return { kind: 'bool' };
    case 'MySqlEnumColumn':
      return { kind: 'code', codes: (column.enumValues ?? []).map((v) => [v, v] as const), numeric: false };
    default:
      throw new Error(`import spec: no type for ${column.columnType} (${column.name})`);
  }
}

function buildSpec(table: string, decl: TableDeclaration): TableSpec {
  const config = getTableConfig(decl.drizzleTable);
  if (config.name !== table) throw new Error(`import spec: declaration ${table} names drizzle table ${config.name}`);
  const byName = new Map<string, string>(Object.entries(getTableColumns(decl.drizzleTable)).map(([key, col]) => [col.name, key]));
  const idColumns = new Set(ID_NUMBER_COLUMNS[table] ?? []);
  const certColumns = new Set(CERT_NO_COLUMNS[table] ?? []);

  for (const name of Object.keys(decl.columns)) {
    if (!byName.has(name)) throw new Error(`import spec: ${table}.${name} is declared but the table has no such column`);
  }
  for (const name of [...idColumns, ...certColumns]) {
    if (!byName.has(name)) throw new Error(`import spec: ${table}.${name} is listed as an identity column but the table has no such column`);
  }

  const columns: ColumnSpec[] = config.columns.map((col) => {
    const d = decl.columns[col.name];
    if (!d) throw new Error(`import spec: ${table}.${col.name} has no declaration (add it to tools/import/spec.ts)`);
    if (d.type && (idColumns.has(col.name) || certColumns.has(col.name))) throw new Error(`import spec: ${table}.${col.name} is an identity column and also declares a type`);
    const type = idColumns.has(col.name) ? ID_NUMBER : certColumns.has(col.name) ? CERT_NO : (d.type ?? derivedType(col));
    return { name: col.name, key: byName.get(col.name)!, required: col.notNull, type, doc: d.doc };
  });

  const composite = config.primaryKeys[0]?.columns.map((c) => c.name);
  const primaryKey = composite ?? config.columns.filter((c) => c.primary).map((c) => c.name);
  if (primaryKey.length === 0) throw new Error(`import spec: ${table} has no primary key, so re-imports could not be idempotent`);
  const uniqueKeys = [
    ...config.columns.filter((c) => c.isUnique).map((c) => [c.name]),
    ...config.uniqueConstraints.map((u) => u.columns.map((c) => c.name)),
  ];

  const names = new Set(columns.map((c) => c.name));
  const mustExist = (name: string, where: string) => {
    if (!names.has(name)) throw new Error(`import spec: ${table} ${where} names unknown column ${name}`);
  };
  for (const p of decl.periods ?? []) [p.start, p.end].forEach((c) => mustExist(c, 'period'));
  for (const r of decl.requiredWhen ?? []) [r.column, r.when.column].forEach((c) => mustExist(c, 'requiredWhen'));
  for (const r of decl.crossRules ?? []) r.columns.forEach((c) => mustExist(c, 'cross rule'));

  return {
    table,
    target: decl.target,
    doc: decl.doc,
    drizzleTable: decl.drizzleTable,
    columns,
    primaryKey,
    uniqueKeys,
    periods: decl.periods ?? [],
    requiredWhen: decl.requiredWhen ?? [],
    crossRules: decl.crossRules ?? [],
  };
}

/** Every importable table, in load order (hub first, then departments in DEPARTMENT_CODES order). */
export const TABLE_SPECS: readonly TableSpec[] = Object.entries(DECLARATIONS).map(([table, decl]) => buildSpec(table, decl));

export const TABLE_SPEC_BY_NAME: ReadonlyMap<string, TableSpec> = new Map(TABLE_SPECS.map((s) => [s.table, s]));

/** Tables that exist but are not imported, with the reason given when a file names one. */
export const NOT_IMPORTED: Readonly<Record<string, string>> = {
  programme: 'the programme catalogue is loaded from domain/programmes.ts, not imported',
};
