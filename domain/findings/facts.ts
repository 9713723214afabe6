/**
 * The plain data the rules run over, for one household at a time, and what a finding says. No
 * database and no GraphQL here: the scan, the household view and the pre-grant check each gather
 * these facts their own way (set-wise) and hand them to the same functions.
 */
import type { OfficeCode } from '../departments';
import type { IsoDate } from '../dates';
import type { ProgrammeCode } from '../programmes';
import type { SchoolStage } from '../school-stages';
import type { AidCause, AidRecord, DisabilityCertificate, HospitalSettlement } from '../aid';
import type { Interval } from './periods';
import type { RuleKind, RuleScope, Severity } from './rule-set';

export type { AidCause, AidRecord, DisabilityCertificate, HospitalSettlement };

/** A spell of membership: in the household from `joinedOn` up to the day before `leftOn`. */
export interface Spell {
  householdId: number;
  idNumber: string;
  joinedOn: IsoDate;
  /** The first day no longer a member; null while still one. */
  leftOn: IsoDate | null;
}

export interface PersonFacts {
  idNumber: string;
  birthDate: IsoDate;
  deathDate: IsoDate | null;
}

/** A student on the education department's roll. */
export interface StudentFacts {
  idNumber: string;
  /**
   * Where the 学籍 stands: in school, suspended (休学), or left (graduated, transferred out,
   * dropped out, died). Absent: in school (a source that records no status). UNRECOGNISED: the
   * source's status code is one its documentation does not list (`sourceStatusCode`): neither in
   * school nor left, so no rule reads the roll entry as a student, nor as one who has left.
   */
  status?: 'IN_SCHOOL' | 'SUSPENDED' | 'LEFT' | 'UNRECOGNISED';
  /** Status UNRECOGNISED only: the 学籍 status code as the source's database holds it. */
  sourceStatusCode?: string | null;
  /** The day the student left school, if the source records it. */
  leftOn?: IsoDate | null;
  /**
   * The 学段 of this roll entry (domain/school-stages.ts). Absent: the source records none.
   * UNRECOGNISED: a stage code its documentation does not list (`sourceStageCode`): the stage is not known.
   */
  stage?: SchoolStage | 'UNRECOGNISED';
  /** Stage UNRECOGNISED only: the stage code as the source's database holds it. */
  sourceStageCode?: string | null;
  /** The first day of the school year the entry was enrolled in (1 September of its 入学年份), if the source records it. */
  enrolledOn?: IsoDate | null;
}

/**
 * Whether a roll entry is a student in school on `day`: not left, not suspended, and any leaving
 * date still ahead. A 17-year-old who finished school is no longer a student owed education aid.
 */
export function inSchoolOn(s: StudentFacts, day: IsoDate): boolean {
  if (s.status !== undefined && s.status !== 'IN_SCHOOL') return false;
  return s.leftOn === undefined || s.leftOn === null || s.leftOn > day;
}

/**
 * Whether a roll entry was in school on `day`, a grant's day that may lie before today or after it
 * (the pre-grant check's 学段): enrolled by then, and in school now or left since, after the day. A
 * pupil who finished 初中 in July and is in 高中 now has two entries: for a grant in March the 初中
 * one was his, not the 高中 one enrolled that September (inSchoolOn, reading today's status only,
 * took the 高中 entry and called the March 寄宿生生活费补助 the wrong stage).
 */
export function onRollOn(s: StudentFacts, day: IsoDate): boolean {
  if (s.enrolledOn && s.enrolledOn > day) return false;
  if (s.status === 'LEFT' && s.leftOn) return s.leftOn > day;
  return inSchoolOn(s, day);
}

/**
 * A student's roll entries as the stage rules read them on `day` (domain/school-stages.ts
 * StagedEntry): each marked in school when on the roll that day (onRollOn). The day within the
 * school year judged: X13's and the pre-grant check's schoolYearDayOf of the aid; M3's today, which
 * lies in the school year it counts.
 */
export function rollOn(roll: readonly StudentFacts[], day: IsoDate): (StudentFacts & { inSchool: boolean })[] {
  return roll.map((s) => ({ ...s, inSchool: onRollOn(s, day) }));
}

/** A second temporary aid (二次临时救助) approved at the hub (issue 5's cases), if any. */
export interface SecondAidApprovalFacts {
  idNumber: string;
  cause: AidCause;
  approvedOn: IsoDate;
  /** The temporary-aid record it paid, `<department>:<sourceRef>`, once known. */
  aidRecordKey: string | null;
}

/** An approval as the hub stores it (second_aid_approval), as the rules read it. */
export function secondAidApprovalOf(row: { idNumber: string; cause: AidCause; approvedOn: IsoDate; aidSourceRef: string | null }): SecondAidApprovalFacts {
  return {
    idNumber: row.idNumber,
    cause: row.cause,
    approvedOn: row.approvedOn,
    // A second temporary aid is paid by civil affairs: its record key is in that department.
    aidRecordKey: row.aidSourceRef ? `CIVIL_AFFAIRS:${row.aidSourceRef}` : null,
  };
}

export interface HouseholdFacts {
  /** Null for a person the hub has in no household: the household rules judge them as a household of one. */
  householdId: number | null;
  /** Everyone who was ever a member, with every spell in this household. */
  spells: readonly Spell[];
  /** People whose person-scope findings belong to this household (it is their home). */
  homeMembers: ReadonlySet<string>;
  people: ReadonlyMap<string, PersonFacts>;
  /** Every aid record of everyone in `spells` (and of the home members). */
  records: readonly AidRecord[];
  /** Settlements of these people, and any other settlement their aid is tied to, by reference. */
  settlements: ReadonlyMap<string, HospitalSettlement>;
  certificates: readonly DisabilityCertificate[];
  students: readonly StudentFacts[];
  secondAidApprovals: readonly SecondAidApprovalFacts[];
  /**
   * Aid tied to one of `settlements` received by people outside these facts (a union illness grant
   * paid to a relative in another household): X7 adds up everything paid for a stay, by settlement,
   * whoever received it.
   */
  settlementAid?: readonly AidRecord[];
  /**
   * The household a settlement's findings belong to, so that a stay aided across two households is
   * reported once: the patient's home; a patient in no household, the home of the first
   * beneficiary (by ID number) who has one; null when nobody has one. Absent for a settlement:
   * decided from these facts alone.
   */
  settlementOwners?: ReadonlyMap<string, number | null>;
}

/** The key of a record across departments; the fingerprint is built from these. */
export function recordKey(r: Pick<AidRecord, 'department' | 'sourceRef'>): string {
  return `${r.department}:${r.sourceRef}`;
}

/** What was found, by kind: the overlap, the excess, the count, or what is missing. */
export type Measure =
  | { type: 'OVERLAP'; overlap: Interval; days: number }
  | { type: 'SAME_PERIOD'; period: string }
  | { type: 'REPEATED'; cause: AidCause | null; count: number; windowMonths: number }
  | { type: 'SETTLEMENT_EXCESS'; settlementRef: string; settledOn: IsoDate; burdenFen: number; aidFen: number; excessFen: number }
  | { type: 'AFTER_DEATH'; deathDate: IsoDate; unpaid: Interval; months: number; excessFen: number }
  /** The student's stage on `judgedOn` (the aid's day), and the stages its programme is for. */
  | { type: 'WRONG_STAGE'; judgedOn: IsoDate; stage: SchoolStage; programmeStages: SchoolStage[] }
  | { type: 'MISSED'; expected: ProgrammeCode[]; met: MetCondition[] };

/** A condition of a missed-aid rule, as it was met. */
export type MetCondition =
  | { fact: 'DISABILITY_CERTIFICATE'; certificateNumber: string; category: number | null; sourceCategoryCode?: string; level: number }
  | { fact: 'HOUSEHOLD_HOLDS'; programmes: ProgrammeCode[] }
  | { fact: 'HOLDS'; programmes: ProgrammeCode[] }
  | { fact: 'STUDENT'; age: number; schoolYear: string }
  | { fact: 'OUT_OF_POCKET'; totalFen: number; thresholdFen: number; over: boolean; from: IsoDate; to: IsoDate; settlementRefs: string[] }
  | { fact: 'GRANTS'; programmes: ProgrammeCode[]; count: number; from: IsoDate; to: IsoDate };

export interface Finding {
  ruleId: string;
  kind: RuleKind;
  severity: Severity;
  scope: RuleScope;
  householdId: number | null;
  /** People involved, sorted. */
  idNumbers: string[];
  /** The exact aid records involved (none for a missed aid with no record behind it). */
  records: AidRecord[];
  measure: Measure;
  /** The departments concerned: those whose records are involved, or that should have paid. */
  departments: OfficeCode[];
  /** Whether the problem still runs today (an open overlap, aid still paid, aid still missing). */
  ongoing: boolean;
  /** Identity across scans: the rule and the records (or facts) involved. */
  fingerprint: string;
  /** Digest of the involved records' content: a dismissal holds until it changes. */
  contentHash: string;
  /**
   * What contentHash covers beyond the records' own content (a stay's amounts, a certificate's
   * level): kept so the scan can hash the same content as an earlier release spelled its stays
   * (identity.ts contentHashAsHeld). Absent: none.
   */
  contentBeyondRecords?: string[];
  /** In words an officer can read out at a meeting; names and ID numbers are never in it. */
  explanation: string;
}
