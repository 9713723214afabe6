/**
 * The floor: the bench's household query answered with hand-written SQL through mysql2 directly,
 * no GraphQL, no drizzle, no DataLoader. One statement for the household with its region and
 * current members (people joined in), then every department table the hub's adapters read, all at
 * once, by ID number IN (...): the same table set as the adapters, so the ratio hub/floor measures
 * what the hub's layers cost, not a different access plan. The answer is built in-process in
 * exactly the shape of HOUSEHOLD_QUERY (bench/lib/query.ts), and serialised, as a server would.
 *
 * The department mappings below restate the adapters' rules (status, programme codes, money). They
 * are duplicated on purpose: the floor must not borrow the layers it is the floor for.
 */
import type mysql from 'mysql2/promise';
import { summariseAid } from '../domain/household/aid-summary';
import { monthEnd, monthStart, type IsoDate } from '../domain/dates';
import { DEPARTMENT_CODES, DEPARTMENT_NAMES, type DepartmentCode, type OfficeCode } from '../domain/departments';
import { divisionLevel } from '../domain/division-code';
import { yuanToFen } from '../domain/money';
import { AID_PROGRAMME_BY_CODE, PROGRAMME_BY_CODE, type AidProgrammeCode, type ProgrammeCode, type UnrecognisedProgrammeCode } from '../domain/programmes';
import type { AidCause, AidRecord, AidStatus } from '../federation/contract';
import { lookupForms, normalisedRecord } from '../federation/id-numbers';
import { ageOn, defaultSummaryWindow, newestFirst, relationField } from './lib/household-rules';
import type { HouseholdResult } from './lib/query';

export interface FloorPools {
  hub: mysql.Pool;
  departments: Record<DepartmentCode, mysql.Pool>;
}

/** A one-off record's status: cancelled, or paid on its date (SCHEDULED while the date is ahead). */
function oneOffStatus(cancelled: boolean, date: IsoDate, today: IsoDate): AidStatus {
  if (cancelled) return 'CANCELLED';
  return date > today ? 'SCHEDULED' : 'PAID';
}

/** A status code the department documents, or UNRECOGNISED (as every adapter reads one it does not: federation/status-codes.ts). */
function documentedOr(codes: readonly (number | string)[], code: number | string, status: () => AidStatus): AidStatus {
  return codes.includes(code) ? status() : 'UNRECOGNISED';
}

/**
 * The programme of a documented programme code, or the department's catch-all with the status
 * UNRECOGNISED (as every adapter reads an undocumented one: federation/status-codes.ts programmeOf).
 */
function programmeOr(programmes: Record<string, ProgrammeCode>, code: string, catchAll: UnrecognisedProgrammeCode, status: AidStatus): { programme: AidProgrammeCode; status: AidStatus } {
  const programme = programmes[code];
  return programme ? { programme, status } : { programme: catchAll, status: 'UNRECOGNISED' };
}

/** Runs one statement and counts it. */
type Select = <T>(pool: mysql.Pool, sql: string, params: unknown[]) => Promise<T[]>;

interface HouseholdJoinRow {
  id: number;
  registration_no: string;
  region_code: string;
  address: string;
  region_name: string | null;
  region_level: string | null;
  relation: string | null;
  joined_on: string | null;
  id_number: string | null;
  name: string | null;
  gender: 'M' | 'F' | null;
  birth_date: string | null;
  death_date: string | null;
}

/** Household, region and current members with their person rows: one statement. */
const HOUSEHOLD_SQL = `
  SELECT h.id, h.registration_no, h.region_code, h.address, r.name AS region_name, r.level AS region_level,
         m.relation, m.joined_on, p.id_number, p.name, p.gender, p.birth_date, p.death_date
  FROM household h
  LEFT JOIN region r ON r.code = h.region_code
  LEFT JOIN (household_member m JOIN person p ON p.id_number = m.id_number)
    ON m.household_id = h.id AND m.left_on IS NULL
  WHERE h.id = ?
  ORDER BY ${relationField('m.relation')}, p.birth_date, p.id_number`;

// ---------------------------------------------------------------- department statements

function laterOf(a: string, b: string): string {
  return a > b ? a : b;
}
function earlierOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
/** 民政 state flag: 0 在保, 1 停保, 2 暂停; a past end date means ended. */
function civilStatus(stateFlag: number, end: string | null, today: string): AidStatus {
  if (![0, 1, 2].includes(stateFlag)) return 'UNRECOGNISED';
  if (stateFlag === 2) return 'SUSPENDED';
  if (stateFlag === 1 || (end !== null && end < today)) return 'ENDED';
  return 'ACTIVE';
}
const CAUSES: Record<string, AidCause> = { '01': 'ILLNESS', '02': 'ACCIDENT', '03': 'DISASTER', '04': 'JOB_LOSS', '05': 'EDUCATION', '99': 'OTHER' };
const CHILD_PROGRAMMES: Record<string, ProgrammeCode> = { GE: 'ORPHAN', SW: 'UNSUPPORTED_CHILD' };
const EDUCATION_PROGRAMMES: Record<string, ProgrammeCode> = { GJZXJ: 'NATIONAL_GRANT', XFJM: 'TUITION_WAIVER', JSSBZ: 'BOARDING_SUBSIDY' };
const HOUSING_PROGRAMMES: Record<string, ProgrammeCode> = { SW: 'PUBLIC_RENTAL', BT: 'RENT_SUBSIDY' };
const HEALTH_PROGRAMMES: Record<string, ProgrammeCode> = { MAF: 'MEDICAL_AID', CBZZ: 'PREMIUM_SUBSIDY' };
const UNION_PROGRAMMES: Record<string, ProgrammeCode> = { BF: 'UNION_HARDSHIP', JQ: 'UNION_AUTUMN_EDU', DB: 'UNION_ILLNESS' };
const DISABILITY_PROGRAMMES: Record<string, ProgrammeCode> = { SH: 'DISABILITY_LIVING', HL: 'DISABILITY_NURSING' };
const HR_GRANT_PROGRAMMES: Record<string, ProgrammeCode> = { PX: 'TRAINING_SUBSIDY', QZ: 'JOB_SEEKING_SUBSIDY', YZ: 'EMPLOYMENT_AID' };

type DepartmentFetch = (select: Select, pool: mysql.Pool, ids: readonly string[], today: IsoDate) => Promise<AidRecord[]>;

/** What every record has: who pays, which programme, whose, and where it comes from. */
const recordBase = (department: OfficeCode, programme: AidProgrammeCode, beneficiaryIdNumber: string, sourceRef: string) => ({
  department,
  programme,
  beneficiaryIdNumber,
  sourceRef,
});

const DEPARTMENT_FETCH: Record<DepartmentCode, DepartmentFetch> = {
  async CIVIL_AFFAIRS(select, pool, ids, today) {
    const [dibao, tekun, temp, child] = await Promise.all([
      select<any>(
        pool,
        `SELECT m.family_no, m.id_no, m.joined_on, m.left_on, m.monthly_share_fen, f.approved_on, f.ended_on, f.state_flag
         FROM dibao_member m JOIN dibao_family f ON f.family_no = m.family_no WHERE m.id_no IN (?)`,
        [ids],
      ),
      select<any>(pool, 'SELECT tk_id, id_no, start_on, end_on, monthly_fen, state_flag FROM tekun_person WHERE id_no IN (?)', [ids]),
      select<any>(
        pool,
        'SELECT grant_id, id_no, family_no, cause_code, is_urgent, is_second_aid, grant_date, amount_fen, revoked FROM temp_aid_grant WHERE id_no IN (?)',
        [ids],
      ),
      select<any>(pool, 'SELECT id, child_id_no, category, start_on, end_on, monthly_fen, state_flag, revoked FROM child_allowance WHERE child_id_no IN (?)', [ids]),
    ]);
    const out: AidRecord[] = [];
    for (const r of dibao) {
      const end = earlierOf(r.left_on, r.ended_on);
      out.push({
        ...recordBase('CIVIL_AFFAIRS', 'DIBAO', r.id_no, `dibao_member:${r.family_no}/${r.id_no}/${r.joined_on}`),
        sourceHouseholdRef: r.family_no,
        periodStart: laterOf(r.joined_on, r.approved_on),
        periodEnd: end,
        grantDate: null,
        amountFen: r.monthly_share_fen,
        status: civilStatus(r.state_flag, end, today),
      });
    }
    for (const r of tekun) {
      out.push({
        ...recordBase('CIVIL_AFFAIRS', 'TEKUN', r.id_no, `tekun_person:${r.tk_id}`),
        sourceHouseholdRef: null,
        periodStart: r.start_on,
        periodEnd: r.end_on,
        grantDate: null,
        amountFen: r.monthly_fen,
        status: civilStatus(r.state_flag, r.end_on, today),
      });
    }
    for (const r of temp) {
      out.push({
        ...recordBase('CIVIL_AFFAIRS', 'TEMP_AID', r.id_no, `temp_aid_grant:${r.grant_id}`),
        sourceHouseholdRef: r.family_no,
        periodStart: null,
        periodEnd: null,
        grantDate: r.grant_date,
        amountFen: r.amount_fen,
        // revoked 0 no, 1 yes; any other UNRECOGNISED
        status: documentedOr([0, 1], r.revoked, () => oneOffStatus(r.revoked === 1, r.grant_date, today)),
        // an undocumented cause code is UNRECOGNISED with the code, as the adapter reads it
        ...(CAUSES[r.cause_code] ? { cause: CAUSES[r.cause_code] } : { cause: 'UNRECOGNISED' as const, sourceCauseCode: String(r.cause_code) }),
        urgent: r.is_urgent === 1,
        secondAid: r.is_second_aid === 1,
      });
    }
    for (const r of child) {
      const { programme, status } = programmeOr(CHILD_PROGRAMMES, r.category, 'CIVIL_AFFAIRS_UNRECOGNISED', documentedOr([0, 1], r.revoked, () => (r.revoked === 1 ? 'CANCELLED' : civilStatus(r.state_flag, r.end_on, today))));
      out.push({
        ...recordBase('CIVIL_AFFAIRS', programme, r.child_id_no, `child_allowance:${r.id}`),
        sourceHouseholdRef: null,
        periodStart: r.start_on,
        periodEnd: r.end_on,
        grantDate: null,
        amountFen: r.monthly_fen,
        status,
      });
    }
    return out;
  },

  async EDUCATION(select, pool, ids, today) {
    const rows = await select<any>(
      pool,
      `SELECT f.funding_id, s.sfzh, f.school_year, f.funding_type, f.amount_yuan, f.paid_date, f.paid_flag
       FROM xs_funding f JOIN xs_student s ON s.student_no = f.student_no WHERE s.sfzh IN (?)`,
      [ids],
    );
    const out: AidRecord[] = [];
    for (const r of rows) {
      const { programme, status } = programmeOr(EDUCATION_PROGRAMMES, r.funding_type, 'EDUCATION_UNRECOGNISED', documentedOr([0, 1], r.paid_flag, () => oneOffStatus(r.paid_flag === 0, r.paid_date, today)));
      out.push({
        ...recordBase('EDUCATION', programme, r.sfzh, `xs_funding:${r.funding_id}`),
        sourceHouseholdRef: null,
        periodStart: null,
        periodEnd: null,
        grantDate: r.paid_date,
        amountFen: yuanToFen(r.amount_yuan),
        status,
        schoolYear: r.school_year,
      });
    }
    return out;
  },

  async HOUSING(select, pool, ids, today) {
    const [allocations, projects] = await Promise.all([
      select<any>(
        pool,
        `SELECT l.alloc_id, l.app_no, l.alloc_type, l.monthly_fen, l.start_date, l.end_date, a.applicant_id_card, a.app_status
         FROM gzf_allocation l JOIN gzf_application a ON a.app_no = l.app_no WHERE a.applicant_id_card IN (?)`,
        [ids],
      ),
      select<any>(
        pool,
        'SELECT project_id, owner_id_card, grant_fen, completed_date FROM wfgz_project WHERE owner_id_card IN (?) AND completed_date IS NOT NULL',
        [ids],
      ),
    ]);
    const out: AidRecord[] = [];
    for (const r of allocations) {
      const { programme, status } = programmeOr(
        HOUSING_PROGRAMMES,
        r.alloc_type,
        'HOUSING_UNRECOGNISED',
        // 90 不予保障: refused, never in force; 10 受理, 20 审核通过 (any code but 30 and 40): not in force yet;
        // 40 退出: left the scheme whatever the allocation row says.
        documentedOr([10, 20, 30, 40, 90], r.app_status, () =>
          r.app_status === 90 ? 'CANCELLED' : r.app_status !== 30 && r.app_status !== 40 ? 'PENDING' : r.app_status === 40 || (r.end_date !== null && r.end_date < today) ? 'ENDED' : 'ACTIVE',
        ),
      );
      out.push({
        ...recordBase('HOUSING', programme, r.applicant_id_card, `gzf_allocation:${r.alloc_id}`),
        sourceHouseholdRef: r.app_no,
        periodStart: r.start_date,
        periodEnd: r.end_date,
        grantDate: null,
        amountFen: r.monthly_fen,
        status,
      });
    }
    for (const r of projects) {
      out.push({
        ...recordBase('HOUSING', 'RURAL_RENOVATION', r.owner_id_card, `wfgz_project:${r.project_id}`),
        sourceHouseholdRef: null,
        periodStart: null,
        periodEnd: null,
        grantDate: r.completed_date,
        amountFen: r.grant_fen,
        status: oneOffStatus(false, r.completed_date, today),
      });
    }
    return out;
  },

  async HEALTH(select, pool, ids, today) {
    const [settlements, payments] = await Promise.all([
      select<any>(
        pool,
        "SELECT setl_id, psn_cert_no, setl_date, maf_pay, refd_setl_flag FROM mi_setl WHERE psn_cert_no IN (?) AND maf_pay > 0 AND refd_setl_flag <> '1'",
        [ids],
      ),
      select<any>(pool, 'SELECT pay_id, psn_cert_no, setl_id, aid_type, pay_date, pay_amt, vali_flag FROM mi_aid_pay WHERE psn_cert_no IN (?)', [ids]),
    ]);
    const out: AidRecord[] = [];
    for (const r of settlements) {
      out.push({
        ...recordBase('HEALTH', 'MEDICAL_AID', r.psn_cert_no, `mi_setl:${r.setl_id}`),
        sourceHouseholdRef: null,
        periodStart: null,
        periodEnd: null,
        grantDate: r.setl_date,
        amountFen: yuanToFen(r.maf_pay),
        status: documentedOr(['0', '1'], r.refd_setl_flag, () => oneOffStatus(false, r.setl_date, today)),
      });
    }
    for (const r of payments) {
      // vali_flag '0': reversed or recovered.
      const { programme, status } = programmeOr(HEALTH_PROGRAMMES, r.aid_type, 'HEALTH_UNRECOGNISED', documentedOr(['0', '1'], r.vali_flag, () => oneOffStatus(r.vali_flag !== '1', r.pay_date, today)));
      out.push({
        ...recordBase('HEALTH', programme, r.psn_cert_no, `mi_aid_pay:${r.pay_id}`),
        sourceHouseholdRef: null,
        periodStart: null,
        periodEnd: null,
        grantDate: r.pay_date,
        amountFen: yuanToFen(r.pay_amt),
        status,
      });
    }
    return out;
  },

  async UNION(select, pool, ids, today) {
    const wanted = new Set(ids);
    // The worker's grants, then the students' not already found (the worker's ID card is never
    // NULL), each half through its own index, as the hub's adapter reads them: an OR across the two
    // tables read every worker file a query (docs/performance.md, Session 45).
    const rows = await select<any>(
      pool,
      `SELECT g.grant_no, g.file_no, g.grant_type, g.grant_date, g.amount_fen, g.student_id_card, g.school_year, g.grant_status, w.id_card AS worker_id_card
       FROM gh_grant g JOIN gh_worker_file w ON w.file_no = g.file_no
       WHERE w.id_card IN (?)
       UNION ALL
       SELECT g.grant_no, g.file_no, g.grant_type, g.grant_date, g.amount_fen, g.student_id_card, g.school_year, g.grant_status, w.id_card
       FROM gh_grant g JOIN gh_worker_file w ON w.file_no = g.file_no
       WHERE g.student_id_card IN (?) AND w.id_card NOT IN (?)`,
      [ids, ids, ids],
    );
    const out: AidRecord[] = [];
    for (const r of rows) {
      // grant_status 2 recovered, 3 reversed.
      const { programme, status } = programmeOr(UNION_PROGRAMMES, r.grant_type, 'UNION_UNRECOGNISED', documentedOr([1, 2, 3], r.grant_status, () => oneOffStatus(r.grant_status !== 1, r.grant_date, today)));
      const autumnEdu = programme === 'UNION_AUTUMN_EDU';
      // 金秋助学 goes to the student when the row names one, otherwise to the worker.
      const beneficiary: string = autumnEdu && r.student_id_card ? r.student_id_card : r.worker_id_card;
      if (!wanted.has(beneficiary)) continue;
      out.push({
        ...recordBase('UNION', programme, beneficiary, `gh_grant:${r.grant_no}`),
        sourceHouseholdRef: r.file_no,
        periodStart: null,
        periodEnd: null,
        grantDate: r.grant_date,
        amountFen: r.amount_fen,
        status,
        schoolYear: autumnEdu ? r.school_year : null,
      });
    }
    return out;
  },

  async DISABILITY(select, pool, ids, today) {
    const [subsidies, rehab] = await Promise.all([
      select<any>(
        pool,
        `SELECT s.sub_id, s.sub_type, s.start_ym, s.end_ym, s.monthly_fen, s.sub_status, c.id_card, c.cert_status
         FROM cl_subsidy s JOIN cl_certificate c ON c.cert_no = s.cert_no WHERE c.id_card IN (?)`,
        [ids],
      ),
      select<any>(
        pool,
        'SELECT a.id, a.grant_date, a.amount_fen, a.aid_status, c.id_card FROM cl_rehab_aid a JOIN cl_certificate c ON c.cert_no = a.cert_no WHERE c.id_card IN (?)',
        [ids],
      ),
    ]);
    const out: AidRecord[] = [];
    for (const r of subsidies) {
      const end = r.end_ym ? monthEnd(r.end_ym) : null;
      const { programme, status } = programmeOr(
        DISABILITY_PROGRAMMES,
        r.sub_type,
        'DISABILITY_UNRECOGNISED',
        // sub_status 1 paying, 2 suspended, 3 stopped, 4 recovered; 3 注销: a cancelled certificate stops its subsidies.
        documentedOr([1, 2, 3, 4], r.sub_status, () =>
          r.sub_status === 4 ? 'CANCELLED' : r.sub_status === 3 || r.cert_status === 3 || (end !== null && end < today) ? 'ENDED' : r.sub_status === 2 ? 'SUSPENDED' : 'ACTIVE',
        ),
      );
      out.push({
        ...recordBase('DISABILITY', programme, r.id_card, `cl_subsidy:${r.sub_id}`),
        sourceHouseholdRef: null,
        periodStart: monthStart(r.start_ym),
        periodEnd: end,
        grantDate: null,
        amountFen: r.monthly_fen,
        status,
      });
    }
    for (const r of rehab) {
      out.push({
        ...recordBase('DISABILITY', 'REHAB_AID', r.id_card, `cl_rehab_aid:${r.id}`),
        sourceHouseholdRef: null,
        periodStart: null,
        periodEnd: null,
        grantDate: r.grant_date,
        amountFen: r.amount_fen,
        status: documentedOr([1, 2], r.aid_status, () => oneOffStatus(r.aid_status === 2, r.grant_date, today)),
      });
    }
    return out;
  },

  // Aid reported directly to the hub, from its ledger: standing entries only; a reversal reads as
  // the aid it cancelled.
  async REPORTED(select, pool, ids, today) {
    const rows = await select<any>(
      pool,
      `SELECT id, reporter_office, programme, beneficiary_id_number, entry_kind, grant_date, period_start, period_end, amount_fen
       FROM reported_aid WHERE beneficiary_id_number IN (?) AND superseded_by IS NULL`,
      [ids],
    );
    const out: AidRecord[] = [];
    for (const r of rows) {
      const programme = PROGRAMME_BY_CODE.get(r.programme);
      if (!programme) continue;
      const cancelled = r.entry_kind === 'REVERSAL';
      const base = { ...recordBase(r.reporter_office, r.programme as ProgrammeCode, r.beneficiary_id_number, `reported_aid:${r.id}`), sourceHouseholdRef: null };
      if (programme.kind === 'RECURRING' && r.period_start) {
        const status: AidStatus = cancelled ? 'CANCELLED' : r.period_end && r.period_end < today ? 'ENDED' : 'ACTIVE';
        out.push({ ...base, periodStart: r.period_start, periodEnd: r.period_end, grantDate: null, amountFen: r.amount_fen, status });
      } else if (r.grant_date) {
        out.push({ ...base, periodStart: null, periodEnd: null, grantDate: r.grant_date, amountFen: r.amount_fen, status: oneOffStatus(cancelled, r.grant_date, today) });
      }
    }
    return out;
  },
  async HUMAN_RESOURCES(select, pool, ids, today) {
    const [benefits, placements, grants] = await Promise.all([
      select<any>(pool, 'SELECT ff_id, sfzhm, ksrq, zzrq, yffbz, ffzt FROM sy_bxj_ff WHERE sfzhm IN (?)', [ids]),
      select<any>(pool, 'SELECT ap_id, sfzhm, ksrq, jsrq, gwbt FROM gyxgw_ap WHERE sfzhm IN (?)', [ids]),
      select<any>(pool, 'SELECT ff_id, sfzhm, btlx, ffrq, ffje FROM jy_bz_ff WHERE sfzhm IN (?)', [ids]),
    ]);
    const out: AidRecord[] = [];
    for (const r of benefits) {
      out.push({
        ...recordBase('HUMAN_RESOURCES', 'UNEMPLOYMENT_BENEFIT', r.sfzhm, `sy_bxj_ff:${r.ff_id}`),
        sourceHouseholdRef: null,
        periodStart: r.ksrq,
        periodEnd: r.zzrq,
        grantDate: null,
        amountFen: yuanToFen(r.yffbz),
        status: documentedOr([1, 2, 3], r.ffzt, () => (r.ffzt === 2 ? 'SUSPENDED' : r.ffzt === 3 || (r.zzrq !== null && r.zzrq < today) ? 'ENDED' : 'ACTIVE')),
      });
    }
    for (const r of placements) {
      out.push({
        ...recordBase('HUMAN_RESOURCES', 'PUBLIC_WELFARE_JOB', r.sfzhm, `gyxgw_ap:${r.ap_id}`),
        sourceHouseholdRef: null,
        periodStart: r.ksrq,
        periodEnd: r.jsrq,
        grantDate: null,
        amountFen: yuanToFen(r.gwbt),
        status: r.jsrq !== null && r.jsrq < today ? 'ENDED' : 'ACTIVE',
      });
    }
    for (const r of grants) {
      const { programme, status } = programmeOr(HR_GRANT_PROGRAMMES, r.btlx, 'HUMAN_RESOURCES_UNRECOGNISED', oneOffStatus(false, r.ffrq, today));
      out.push({
        ...recordBase('HUMAN_RESOURCES', programme, r.sfzhm, `jy_bz_ff:${r.ff_id}`),
        sourceHouseholdRef: null,
        periodStart: null,
        periodEnd: null,
        grantDate: r.ffrq,
        amountFen: yuanToFen(r.ffje),
        status,
      });
    }
    return out;
  },
};

// ---------------------------------------------------------------- the answer

function departmentOf(code: OfficeCode) {
  return { code, name: DEPARTMENT_NAMES[code] };
}

export interface FloorAnswer {
  /** The household in the shape of HOUSEHOLD_QUERY's `data.household`, or null. */
  household: HouseholdResult | null;
  /** The answer as it would go on the wire. */
  json: string;
  statements: number;
}

/** The household query by hand. */
export async function floorHousehold(pools: FloorPools, householdId: number, today: IsoDate): Promise<FloorAnswer> {
  let statements = 0;
  const select: Select = async <T>(pool: mysql.Pool, sql: string, params: unknown[]) => {
    statements += 1;
    const [rows] = await pool.query<mysql.RowDataPacket[]>(sql, params);
    return rows as T[];
  };

  const rows = await select<HouseholdJoinRow>(pools.hub, HOUSEHOLD_SQL, [householdId]);
  if (rows.length === 0) return { household: null, json: 'null', statements };
  const h = rows[0];
  const people = rows.filter((r) => r.id_number !== null);
  const personOf = new Map(
    people.map((r) => [
      r.id_number!,
      {
        idNumber: r.id_number!,
        name: r.name!,
        gender: r.gender === 'M' ? 'MALE' : 'FEMALE',
        birthDate: r.birth_date!,
        deathDate: r.death_date,
        age: ageOn(r.birth_date!, r.death_date ?? today),
      },
    ]),
  );
  const ids = [...personOf.keys()];
  // As the hub's registry reads every department (federation/id-numbers.ts): the lower-case `x` form
  // asked for too, and each record's ID number normalised, so the floors do the hub's work.
  const forms = lookupForms(ids);

  // Every department at once, each table of each department at once, as the hub does.
  const perDepartment = await Promise.all(
    DEPARTMENT_CODES.map(async (code) => {
      const started = performance.now();
      const records = ids.length === 0 ? [] : (await DEPARTMENT_FETCH[code](select, pools.departments[code], forms, today)).map(normalisedRecord);
      return { code, records, latencyMs: ids.length === 0 ? 0 : Math.round(performance.now() - started) };
    }),
  );
  const records = perDepartment.flatMap((d) => d.records);
  const { from, to } = defaultSummaryWindow(today);
  const summary = summariseAid(records, from, to, today);

  const household = {
    id: String(h.id),
    registrationNumber: h.registration_no,
    address: h.address,
    region: { code: h.region_code, name: h.region_name ?? h.region_code, level: h.region_level ?? divisionLevel(h.region_code) },
    members: people.map((r) => ({ relation: r.relation!, joinedOn: r.joined_on!, person: personOf.get(r.id_number!)! })),
    aid: [...records].sort(newestFirst).map((r) => {
      const p = AID_PROGRAMME_BY_CODE.get(r.programme)!;
      const beneficiary = personOf.get(r.beneficiaryIdNumber);
      return {
        department: departmentOf(r.department),
        programme: { code: p.code, name: p.name, kind: p.kind, purpose: p.purpose },
        beneficiary: beneficiary ? { idNumber: beneficiary.idNumber, name: beneficiary.name } : null,
        period: r.periodStart === null ? null : { start: r.periodStart, end: r.periodEnd },
        grantDate: r.grantDate,
        amountFen: r.amountFen,
        status: r.status,
        sourceReference: r.sourceRef,
        sourceHouseholdReference: r.sourceHouseholdRef,
        cause: r.cause ?? null,
        urgent: r.urgent ?? null,
        secondAid: r.secondAid ?? null,
        schoolYear: r.schoolYear ?? null,
      };
    }),
    aidSummary: {
      from: summary.from,
      to: summary.to,
      totalFen: summary.totalFen,
      monthlyRecurringFen: summary.monthlyRecurringFen,
      complete: true,
      byDepartment: summary.byDepartment.map((d) => ({ department: { code: d.department }, totalFen: d.totalFen, recordCount: d.recordCount })),
      byPurpose: summary.byPurpose,
    },
    sources: perDepartment.map((d) => ({ department: departmentOf(d.code), available: true, latencyMs: d.latencyMs, reason: null })),
  };
  return { household, json: JSON.stringify({ data: { household } }), statements };
}
