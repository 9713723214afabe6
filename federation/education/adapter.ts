/**
 * 教育 adapter: student funding (国家助学金, 学费减免, 寄宿生生活费补助) per school year and
 * semester, each payment mapped to a ONE_OFF AidRecord. The source keys funding by student number,
 * so the ID number comes from a join to the student roll. One statement per batch.
 */
import path from 'node:path';
import { eq, type SQL } from 'drizzle-orm';
import { inPlaceholder, preparedPer, preparedUnionAll } from '../../db/prepared';
import { departmentYuanToFen } from '../../domain/money';
import type { StudentFacts } from '../../domain/findings/facts';
import { schoolYearBounds } from '../../domain/findings/periods';
import type { SchoolStage } from '../../domain/school-stages';
import { checkAnswer, readsApart, type AidRecord, type CheckAnswer, type CheckAsk, type DepartmentAdapter, type SourceDb } from '../contract';
import { oneOffAid, recurringAid, sourceRefOf } from '../../domain/aid';
import { EDUCATION_IMPORT } from './import-spec';
import { codedColumn, codedValue, oneOffStatusOf, programmeColumn, programmeOf, statusColumn } from '../status-codes';
import { xsFunding, xsStudent } from './tables';
import { EDUCATION_DEMO } from './demo';

/**
 * The kinds of record this department's aid records and facts come from (`sourceRef`'s first
 * part). Frozen: stored findings' fingerprints are built from them, and they stay as they are if
 * a table is renamed (they are spelled like the first release's table names, not derived from
 * them).
 */
const RECORD_KINDS = {
  xsFunding: 'xs_funding',
} as const;

/** xs_funding.funding_type as the import declaration documents it; any other type is the catch-all, UNRECOGNISED (it was skipped). */
const FUNDING_TYPE = programmeColumn(EDUCATION_IMPORT.xs_funding, 'funding_type', 'EDUCATION', { GJZXJ: 'NATIONAL_GRANT', XFJM: 'TUITION_WAIVER', JSSBZ: 'BOARDING_SUBSIDY' });

/** xs_funding.paid_flag: 1 已发放, 0 已撤销; any other UNRECOGNISED (it read as paid). */
const PAID_FLAG = statusColumn(EDUCATION_IMPORT.xs_funding, 'paid_flag');
const REVOKED = 0;

/**
 * 学籍状态 codes as the import declaration documents them: in school, suspended; graduated,
 * transferred out, dropped out and died have left. Any other code is UNRECOGNISED with the code (it
 * read as LEFT): the rules read the entry neither as a student nor as one who has left.
 */
const STUDENT_STATUS = codedColumn<'IN_SCHOOL' | 'SUSPENDED' | 'LEFT'>(EDUCATION_IMPORT.xs_student, 'xj_status', { ZX: 'IN_SCHOOL', XX: 'SUSPENDED', BY: 'LEFT', ZC: 'LEFT', CX: 'LEFT', SW: 'LEFT' });

/**
 * 学段 codes as the import declaration documents them (domain/school-stages.ts says which aid is for
 * which). Any other code is UNRECOGNISED with the code: the stage is not known, and a pre-grant
 * check of a stage-bound programme says so (STAGE_UNKNOWN) rather than answer clear.
 */
const STAGE = codedColumn<SchoolStage>(EDUCATION_IMPORT.xs_student, 'stage', { XX: 'PRIMARY', CZ: 'JUNIOR_SECONDARY', GZ: 'SENIOR_SECONDARY', ZZ: 'SECONDARY_VOCATIONAL', GX: 'HIGHER' });

/** Coded columns no rule reads and the API does not show, only counted at start-up: a payment's semester. */
const DISPLAY = [statusColumn(EDUCATION_IMPORT.xs_funding, 'semester')];

/** A payment with its student's ID number, as `aidByIdNumbers` reads it. */
const FUNDING_FIELDS = {
  fundingId: xsFunding.fundingId,
  sfzh: xsStudent.sfzh,
  schoolYear: xsFunding.schoolYear,
  fundingType: xsFunding.fundingType,
  amountYuan: xsFunding.amountYuan,
  paidDate: xsFunding.paidDate,
  paidFlag: xsFunding.paidFlag,
};

/** A place on the roll, as `studentsByIdNumbers` reads it. */
const STUDENT_FIELDS = { idNumber: xsStudent.sfzh, xjStatus: xsStudent.xjStatus, leaveDate: xsStudent.leaveDate, stage: xsStudent.stage, enrolYear: xsStudent.enrolYear };

/** The people's payments: their student numbers through the roll. */
const fundingOf = (db: SourceDb, f: Record<string, unknown>) => db.select(f as typeof FUNDING_FIELDS).from(xsFunding).innerJoin(xsStudent, eq(xsStudent.studentNo, xsFunding.studentNo)).where(inPlaceholder(xsStudent.sfzh, 'ids'));

/** The people's places on the roll. */
const studentsOf = (db: SourceDb, f: Record<string, unknown>) => db.select(f as typeof STUDENT_FIELDS).from(xsStudent).where(inPlaceholder(xsStudent.sfzh, 'ids'));

/** The statements, prepared once per source (db/prepared.ts). */
const statements = preparedPer((db: SourceDb) => ({
  funding: fundingOf(db, FUNDING_FIELDS).prepare(),
  students: studentsOf(db, STUDENT_FIELDS).prepare(),
  /** `funding` and `students` in one statement (their UNION ALL): `aidAndFacts` asked for the roll. */
  fundingAndStudents: preparedUnionAll(db, {
    funding: { fields: FUNDING_FIELDS, select: (f: Record<string, SQL.Aliased>) => fundingOf(db, f) },
    students: { fields: STUDENT_FIELDS, select: (f: Record<string, SQL.Aliased>) => studentsOf(db, f) },
  }),
}));

export const education: DepartmentAdapter = {
  code: 'EDUCATION',
  migrationsFolder: path.join(__dirname, 'migrations'),
  importTables: EDUCATION_IMPORT,
  demo: EDUCATION_DEMO,
  recordKinds: RECORD_KINDS,
  statusColumns: [PAID_FLAG],
  programmeColumns: [FUNDING_TYPE],
  factColumns: [STUDENT_STATUS, STAGE],
  displayColumns: DISPLAY,
  tables: [xsStudent, xsFunding],
  personKeys: [xsStudent.sfzh],
  facts: { students: { byIdNumbers: studentsByIdNumbers, keyColumn: xsStudent.sfzh } },
  changeFeed: [
    { table: xsStudent, sequence: null, updatedAt: xsStudent.updateTime },
    { table: xsFunding, sequence: xsFunding.fundingId, updatedAt: null },
  ],

  async aidByIdNumbers(db: SourceDb, idNumbers: readonly string[], today: string): Promise<AidRecord[]> {
    if (idNumbers.length === 0) return [];
    return fundingRecords(await statements(db).funding.execute({ ids: idNumbers }), today);
  },

  aidAndFacts: aidAndStudents,
};

/** Payments as records. */
function fundingRecords(rows: readonly { fundingId: number; sfzh: string; schoolYear: string; fundingType: string; amountYuan: string; paidDate: string; paidFlag: number }[], today: string): AidRecord[] {
  // A funding type outside the hub's catalogue is shown under the catch-all, UNRECOGNISED: compared by no rule, but seen.
  return rows.map((r) => oneOffAid({ department: 'EDUCATION', ...programmeOf(FUNDING_TYPE, r.fundingType, oneOffStatusOf(PAID_FLAG, r.paidFlag, r.paidFlag === REVOKED, r.paidDate, today)), beneficiaryIdNumber: r.sfzh, grantDate: r.paidDate, amountFen: departmentYuanToFen(r.amountYuan), sourceRef: sourceRefOf(RECORD_KINDS.xsFunding, r.fundingId), schoolYear: r.schoolYear }));
}

/**
 * What `education.aidByIdNumbers(db, idNumbers, today)` and, asked for them, `studentsByIdNumbers(db,
 * idNumbers)` answer, in one statement (their UNION ALL): a pre-grant check that needs education's
 * aid reads the roll beside it (a 金秋助学 check: the 国家助学金 of X6).
 */
async function aidAndStudents(db: SourceDb, ask: CheckAsk): Promise<CheckAnswer> {
  const { idNumbers, today, students } = ask;
  if (!students || idNumbers.length === 0) return readsApart(education, db, ask);
  const rows = await statements(db).fundingAndStudents.execute({ ids: idNumbers });
  return checkAnswer({ aid: fundingRecords(rows.funding, today), students: rows.students.map(studentFacts) });
}

/** Students on the roll among these people, with their stage, which the missed-aid rules and the pre-grant check read. One statement. */
export async function studentsByIdNumbers(db: SourceDb, idNumbers: readonly string[]): Promise<StudentFacts[]> {
  if (idNumbers.length === 0) return [];
  return (await statements(db).students.execute({ ids: idNumbers })).map(studentFacts);
}

/** A place on the roll as the rules read it. */
function studentFacts(r: { idNumber: string; xjStatus: string; leaveDate: string | null; stage: string; enrolYear: string }): StudentFacts {
  const { value, sourceCode } = codedValue(STUDENT_STATUS, r.xjStatus);
  const stage = codedValue(STAGE, r.stage);
  return {
    idNumber: r.idNumber,
    status: value,
    ...(sourceCode === null ? {} : { sourceStatusCode: sourceCode }),
    leftOn: r.leaveDate,
    stage: stage.value,
    ...(stage.sourceCode === null ? {} : { sourceStageCode: stage.sourceCode }),
    // 入学年份: the entry is on the roll from that school year's first day (a malformed year: not known).
    enrolledOn: /^\d{4}$/.test(r.enrolYear) ? schoolYearBounds(`${r.enrolYear}-${Number(r.enrolYear) + 1}`).from : null,
  };
}
