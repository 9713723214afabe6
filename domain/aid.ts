/**
 * The common aid record: one piece of aid to one person, whichever department pays it, and the
 * department facts the rules read (hospital settlements, disability certificates). Every adapter
 * maps its rows to these shapes (federation/contract.ts), building records with the constructors
 * below rather than spelling every field.
 */
import type { DepartmentCode, OfficeCode } from './departments';
import type { AidProgrammeCode } from './programmes';
import { addDays, isIsoDate, type IsoDate } from './dates';
import { halfWidth, OTHER_DIGITS } from './half-width';
import type { PeriodBeyondTerm } from './reported-aid/beyond-term';

/**
 * SUPERSEDED is only ever the record a completed slip named (Referral.aidRecord; a first aid shows
 * no record, its standing only) that its source has since superseded by a later entry (the
 * reported-aid ledger's CORRECTION): shown as recorded, with `supersededBy`;
 * never among a person's aid, in a total or a rule. (One reversed since is CANCELLED, `supersededBy`
 * the REVERSAL.)
 */
export type AidStatus = 'ACTIVE' | 'ENDED' | 'SUSPENDED' | 'PAID' | 'SCHEDULED' | 'PENDING' | 'UNRECOGNISED' | 'CANCELLED' | 'SUPERSEDED';

/**
 * Whether a record is aid the department has put in force: not revoked (CANCELLED), not still
 * under its review (PENDING: an application accepted or approved whose aid has not begun, as
 * housing's 受理 and 审核通过), and not carrying a status code the department's documentation does
 * not list (UNRECOGNISED: a typo or a code added since, in a front-end database no import checks;
 * the hub cannot tell whether it is paid, stopped or revoked), or a programme code it does not
 * list (the hub cannot tell what the aid is). Nothing counts such a record: no
 * total, no rule, no fulfilment. A SCHEDULED grant is in force, decided and dated
 * (domain/findings/attribution.ts counts it).
 */
export function inForce(r: Pick<AidRecord, 'status'>): boolean {
  return r.status !== 'CANCELLED' && r.status !== 'PENDING' && r.status !== 'UNRECOGNISED' && r.status !== 'SUPERSEDED';
}

/**
 * A one-off record's status on `today`: revoked or reversed (its source's flag), else paid on its
 * grant date, so SCHEDULED while that date is still ahead (a department records a payment before
 * it is made; the import takes dates up to 92 days ahead) and PAID from the day on. Every rule
 * counts a scheduled grant as it counts a paid one: it is aid decided (isLive), and its identity in
 * findings does not change the day it is paid. Each adapter derives it, as it derives a recurring
 * record's ENDED from today.
 */
export function oneOffStatus(cancelled: boolean, grantDate: IsoDate, today: IsoDate): AidStatus {
  if (cancelled) return 'CANCELLED';
  return grantDate > today ? 'SCHEDULED' : 'PAID';
}

/** Who approved a temporary aid grant: the township (乡镇审批) or the county (县级审批). */
export type TempAidApprovalLevel = 'TOWNSHIP' | 'COUNTY';

/** Why temporary aid was granted (seed 000, 二(一)3). */
export type AidCause = 'ILLNESS' | 'ACCIDENT' | 'DISASTER' | 'JOB_LOSS' | 'EDUCATION' | 'OTHER';

/** A cause in Chinese, as civil affairs' documentation names its codes (01 疾病 … 99 其他): in findings' text and the brief. */
export const AID_CAUSE_NAMES: Readonly<Record<AidCause, string>> = {
  ILLNESS: '疾病',
  ACCIDENT: '意外事故',
  DISASTER: '自然灾害',
  JOB_LOSS: '失业',
  EDUCATION: '教育',
  OTHER: '其他',
};

/**
 * A record's cause as its department's data gives it: a cause, or UNRECOGNISED when the department's
 * cause code is one its documentation does not list (the code in `sourceCauseCode`). Only a record
 * carries UNRECOGNISED: a decision, a first aid or a proposal is given one of the causes.
 */
export type RecordCause = AidCause | 'UNRECOGNISED';

/** One piece of aid to one person, whichever department pays it. */
export interface AidRecord {
  /** The office that gave it: a federated department, or a reporter (then `reportedBy` says who). */
  department: OfficeCode;
  /** A programme of the catalogue, or its department's catch-all when the source's programme code is undocumented (then `sourceProgrammeCode`). */
  programme: AidProgrammeCode;
  /** The beneficiary's ID number (GB 11643). */
  beneficiaryIdNumber: string;
  /** The department's own household key (低保 family number, housing application, …), if it has one. */
  sourceHouseholdRef: string | null;
  /** RECURRING: periodStart..periodEnd (null end = still running), amountFen per month. */
  periodStart: IsoDate | null;
  periodEnd: IsoDate | null;
  /** ONE_OFF: the date granted or paid, amountFen in total. */
  grantDate: IsoDate | null;
  amountFen: number;
  status: AidStatus;
  /** Stable reference into the source: `<table>:<key>`, unique within the department. */
  sourceRef: string;
  /** 临时救助 only: the cause, whether 急难, and whether approved as a second aid (二次临时救助). */
  cause?: RecordCause | null;
  /**
   * Cause UNRECOGNISED only: the cause code the department's record carries, as its database holds
   * it (`07`), so the office can correct it. A code, never personal data.
   */
  sourceCauseCode?: string | null;
  urgent?: boolean;
  /** Flagged by its department as a second aid (二次临时救助), whoever approved it. */
  secondAid?: boolean;
  /**
   * 临时救助 only: who approved the grant, as its department records it (UNRECOGNISED: a level code
   * its documentation does not list). A second aid is the city's or the county's to give (seed 000
   * 三(四)1: 市、县可给予二次临时救助): one a township approved does not exempt a repeat from X5.
   */
  approvalLevel?: TempAidApprovalLevel | 'UNRECOGNISED';
  /** Aid tied to one hospital settlement (medical aid, union illness aid): the settlement's ref. */
  settlementRef?: string | null;
  /** Education aid: the school year, e.g. "2025-2026". */
  schoolYear?: string | null;
  /** Aid reported directly to the hub: who reported it, under which reference of theirs. */
  reportedBy?: ReportedBy | null;
  /** The case or need it answers, as the reporter gave them. */
  caseReference?: string | null;
  needId?: string | null;
  /**
   * UNRECOGNISED only: the status code the department's record carries, as its database holds it
   * (`7`, `X`), so the office can correct it. A code, never personal data.
   */
  sourceStatusCode?: string | null;
  /**
   * Set only when the department's programme (type, kind) code is one its documentation does not
   * list: that code, as its database holds it. The record is then shown under its department's
   * catch-all programme (UNRECOGNISED_PROGRAMMES, domain/programmes.ts) and is UNRECOGNISED.
   */
  sourceProgrammeCode?: string | null;
  /**
   * A ledger entry a slip named, superseded since (SUPERSEDED by a correction, CANCELLED by a
   * reversal) only: the entry standing in its place now (the last of its chain), as its source
   * holds it; null where the reader may not be shown it (another household's).
   */
  supersededBy?: AidRecord | null;
  /**
   * A reported-aid ledger entry whose recurring period runs beyond the longest term a grant is
   * approved for, as aidReport refuses it today (PERIOD_TOO_LONG; recorded before that rule):
   * domain/reported-aid/beyond-term.ts. Counted as aid up to `countedTo` only (knownEnd).
   */
  periodBeyondTerm?: PeriodBeyondTerm | null;
}

/** A reporter of aid (an office without a front-end database, or a charity) as its records show it. */
export interface ReportedBy {
  /** The API client that reported it. */
  clientName: string;
  /** The officer the client named for the report (X-Officer), or null. */
  officer?: string | null;
  office: OfficeCode;
  /** 统一社会信用代码, for a charity. */
  creditCode: string | null;
  /** The reporter's own reference for the record. */
  reference: string;
}

/**
 * The longest settlement reference there is: a settlement id on the national medical-insurance
 * platform is 30 characters at most, and every department column that holds one (医保's own, the
 * stays a union grant names) is that wide (their folders' tests check it). A longer reference names
 * no stay, so the hub refuses it rather than send it to a department.
 */
export const SETTLEMENT_REFERENCE_MAX_LENGTH = 30;

/**
 * A settlement reference as a clerk or a spreadsheet gives it, in the form the hub keys a stay
 * (settlementKey): full-width digits and letters (a Chinese input method left in full-width mode) read as ASCII
 * (typedCode, as an ID number is read: domain/id-number.ts typedIdNumber), whitespace around it left
 * out, letters upper-case (`x1` named no stay where medical insurance holds `X1`, though its server
 * took one for the other); null when nothing is left. Compared as typed, `３７０８…` named no stay: a pre-grant check
 * answered settlementUnknown for the right number, and charity aid reported on the stay in it was
 * counted in no stay's sum (X7), so a later check of medical aid on that stay answered clear.
 */
export function settlementReferenceOf(given: string | null | undefined): string | null {
  const typed = typedCode(given);
  return typed === null ? null : asciiUpper(typed);
}

/** A reference `settlementReferenceOf` returns as it is: nothing full-width, no space around it, no lower-case letter. */
const KEYED = /^[0-9A-Z-]+$/;

/**
 * The key the hub matches a hospital stay by, wherever the reference comes from: a clerk's
 * (settlementReferenceOf, which it is) or a department's row (federation/settlement-refs.ts).
 * Letters are compared upper-case, since the default collations of MariaDB and MySQL 8 fold case
 * and TiDB's default `utf8mb4_bin` does not; and whitespace around it is left out, since MariaDB and
 * TiDB pad (`'X ' = 'X'`) and MySQL 8's `utf8mb4_0900_ai_ci` does not. A department row `X ` or
 * `x` that one server returned for the stay `X` and another did not was grouped by its exact string
 * and dropped: X7 added up the stay's aid without it.
 */
export function settlementKey(ref: string): string {
  // Already a key (digits, upper-case letters, hyphens: every reference a department returns as the hub keys it): itself, without the copies the three steps make.
  if (KEYED.test(ref)) return ref;
  return settlementReferenceOf(ref) ?? ref;
}

/** ASCII letters upper-case, nothing else changed (a length-changing fold, ß to SS, is no server's equality). */
export function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** ASCII letters lower-case, nothing else changed. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/**
 * The one message for a settlement reference holding a digit of another script or style
 * (holdsOtherDigits): aidReport's settlementRef (SETTLEMENT_REF_INVALID) and a proposal's or
 * decision's settlementReference (CHARACTERS) were told it in two wordings.
 */
export const OTHER_DIGITS_IN_SETTLEMENT = `the settlement number ${OTHER_DIGITS}`;

/**
 * A code a clerk types (a settlement reference, a school year `２０２６－２０２７`, a 统一社会信用代码, an
 * objection line) in the form the hub keys it: full-width digits, letters and hyphen read as ASCII
 * (halfWidth, as an ID number is read: domain/id-number.ts typedIdNumber), whitespace around it left
 * out; null when nothing is left. Only full-width forms, not NFKC: NFKC also read mathematical
 * (`𝟐𝟎𝟐𝟔`), segmented and circled digits (`③`) and a Roman numeral `Ⅹ` as ASCII, which no input
 * method types, while it left Arabic-Indic `٣` as typed; a school year, a credit code and a phone
 * line in them were taken as ASCII, now each code's own check refuses them.
 */
export function typedCode(given: string | null | undefined): string | null {
  return given ? halfWidth(given).trim() || null : null;
}

/**
 * The largest single amount the hub takes anywhere, in fen (¥21,474,836.47): a grant reported to
 * the ledger, a proposal, a meeting's decision, a first aid, a charity's need or project budget.
 * The reported-aid ledger stores one grant in INT UNSIGNED kept below MySQL's INT max, and a
 * charity's pledges and deliveries end there; sums of amounts this size stay exact integers.
 */
export const MAX_AMOUNT_FEN = 2_147_483_647;

/**
 * The largest amount a pre-grant check takes, in fen (per month for recurring aid): the most the
 * reported-aid ledger stores for one grant (MAX_AMOUNT_FEN). What the rules compute from a
 * proposal (a stay's aid added up, months paid after death times the monthly amount) then stays an
 * exact integer; a proposal near 2^53 fen made those sums inexact and the answer an
 * INTERNAL_SERVER_ERROR.
 */
export const PROPOSAL_MAX_FEN = MAX_AMOUNT_FEN;

/** A hospital settlement as the medical insurance system records it, in fen. */
export interface HospitalSettlement {
  settlementRef: string;
  idNumber: string;
  hospitalName: string;
  admittedOn: IsoDate;
  dischargedOn: IsoDate | null;
  settledOn: IsoDate;
  diagnosis: string | null;
  totalCostFen: number;
  basicInsurancePaidFen: number;
  criticalIllnessInsurancePaidFen: number;
  medicalAidPaidFen: number;
  outOfPocketFen: number;
}

/** A disability certificate (第二代残疾人证): 18-char ID number + category digit + level digit. */
export interface DisabilityCertificate {
  certificateNumber: string;
  idNumber: string;
  /** 1–7 as the federation documents them; shown only (no rule reads it). Null when its code is one the federation does not document (the code in `sourceCategoryCode`). */
  category: number | null;
  /** Category null only: the certificate's category code as the federation's database holds it. */
  sourceCategoryCode?: string | null;
  /**
   * 1 (most severe) to 4; null when the federation's level code is one its documentation does not list
   * (the code in `sourceLevelCode`). An undocumented 0 read as a number was more severe than 一级: the
   * severe-disability trigger raised an alert on it. Such a certificate is not held for any rule
   * (`certificateHeld`): no finding or alert is made because of it, and none is ruled out by it.
   */
  level: number | null;
  /** Level null only: the certificate's level code as the federation's database holds it. */
  sourceLevelCode?: string | null;
  issuedOn: IsoDate;
  validUntil: IsoDate | null;
  /**
   * UNRECOGNISED: the federation's status code is one its documentation does not list (the code in
   * `sourceStatusCode`). Not VALID, so no rule acts on it as a certificate held; not EXPIRED or
   * REVOKED either, so shown as it is for the office to correct.
   */
  status: 'VALID' | 'EXPIRED' | 'REVOKED' | 'UNRECOGNISED';
  /** Status UNRECOGNISED only: the certificate's status code as the federation's database holds it. */
  sourceStatusCode?: string | null;
}

/** A certificate's category (`DisabilityCertificate.category`, 1–7) in Chinese, as the federation documents it: shown in findings' text and the brief. */
export const DISABILITY_CATEGORY_NAMES: Readonly<Record<number, string>> = { 1: '视力', 2: '听力', 3: '言语', 4: '肢体', 5: '智力', 6: '精神', 7: '多重' };

/** A certificate the rules and triggers read: valid, at a documented level. */
export type HeldCertificate = DisabilityCertificate & { status: 'VALID'; level: number };

/**
 * Whether the rules and triggers read this certificate as one held: VALID, and at a level the
 * federation documents. One whose status or level code is undocumented is read by none, either way:
 * the brief shows it with its code, and says the checks that read certificates could not judge it.
 */
export function certificateHeld(c: DisabilityCertificate): c is HeldCertificate {
  return c.status === 'VALID' && c.level !== null;
}

/**
 * A person's job loss as a department records it (a union hardship file, a human resources
 * unemployment registration). Department-neutral: a monitoring trigger asks whether someone lost
 * a job, not which office wrote it down.
 */
export interface JobLoss {
  idNumber: string;
  department: DepartmentCode;
  /** The day the job was lost (or the registration says it was). */
  lostOn: IsoDate;
  /** Stable reference into the source, as for aid records. */
  sourceRef: string;
}

/** A monitored low-income roll's category (监测类别): 低保边缘, 刚性支出困难, 易返贫致贫, 其他低收入. */
export type MonitorCategory = 'DIBAO_EDGE' | 'ESSENTIAL_SPENDING' | 'POVERTY_RISK' | 'OTHER_LOW_INCOME';

/**
 * A spell on civil affairs' monitored low-income roll (低收入人口动态监测): the monitoring triggers
 * use lower thresholds for people on it, whatever their category: a person on the roll under a
 * category code the department does not document is on the roll all the same, so monitored.
 */
export interface MonitoredSpell {
  idNumber: string;
  /** The category, or UNRECOGNISED when the roll's code is one its documentation does not list (the code in `sourceCategoryCode`). */
  category: MonitorCategory | 'UNRECOGNISED';
  /** Category UNRECOGNISED only: the code the roll carries, as its database holds it. A code, never personal data. */
  sourceCategoryCode?: string | null;
  from: IsoDate;
  /** The day taken off the roll; null while on it. */
  to: IsoDate | null;
  sourceRef: string;
}

/**
 * A person's spells on the monitored roll as the days they were on it, newest first: `to` is the day
 * taken off (they are off it that day, as monitoring reads it), so the last day on it is the day
 * before; a spell taken off the day it began held nobody and is left out. The category is not
 * part of it: the API shows whether and when, never why.
 */
export function monitoredRollPeriods(spells: readonly Pick<MonitoredSpell, 'from' | 'to'>[]): { start: IsoDate; end: IsoDate | null }[] {
  return spells
    .filter((s) => s.to === null || s.to > s.from)
    .map((s) => ({ start: s.from, end: s.to === null ? null : addDays(s.to, -1) }))
    .sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0));
}

/** What every record says, whichever kind it is. */
interface RecordBase {
  department: OfficeCode;
  programme: AidProgrammeCode;
  beneficiaryIdNumber: string;
  sourceHouseholdRef?: string | null;
  status: AidStatus;
  sourceRef: string;
}
type Extras = Pick<AidRecord, 'cause' | 'sourceCauseCode' | 'urgent' | 'secondAid' | 'approvalLevel' | 'settlementRef' | 'schoolYear' | 'reportedBy' | 'caseReference' | 'needId' | 'sourceStatusCode' | 'sourceProgrammeCode' | 'periodBeyondTerm'>;

/**
 * Aid paid every month over a period: `monthlyFen` per month from `start` to `end` (null: still
 * running). The one place a recurring record's fields are spelled out.
 */
export function recurringAid(r: RecordBase & { start: IsoDate; end: IsoDate | null; monthlyFen: number } & Extras): AidRecord {
  const { department, programme, beneficiaryIdNumber, sourceHouseholdRef = null, start, end, monthlyFen, status, sourceRef, ...extras } = r;
  return { department, programme, beneficiaryIdNumber, sourceHouseholdRef, periodStart: start, periodEnd: end, grantDate: null, amountFen: monthlyFen, status, sourceRef, ...extras };
}

/** Aid granted once: `amountFen` in total, granted or paid on `grantDate`. */
export function oneOffAid(r: RecordBase & { grantDate: IsoDate; amountFen: number } & Extras): AidRecord {
  const { department, programme, beneficiaryIdNumber, sourceHouseholdRef = null, grantDate, amountFen, status, sourceRef, ...extras } = r;
  return { department, programme, beneficiaryIdNumber, sourceHouseholdRef, periodStart: null, periodEnd: null, grantDate, amountFen, status, sourceRef, ...extras };
}

/**
 * A record's reference in its department: `<kind>:<key>`. The kind is declared by the adapter
 * (`recordKinds`, federation/contract.ts) and frozen: it is part of every stored finding's
 * fingerprint (domain/findings/identity.ts), so it never follows a table's name. Several kinds
 * are spelled like the first release's table names; a table renamed keeps its kind.
 */
export function sourceRefOf(kind: string, key: string | number): string {
  return `${kind}:${key}`;
}

/** The key of a `sourceRef` of this kind (what `sourceRefOf` was given), or null for a reference of another kind. */
export function sourceKeyOf(kind: string, sourceRef: string): string | null {
  return sourceRef.startsWith(`${kind}:`) ? sourceRef.slice(kind.length + 1) : null;
}

/**
 * The first value of a department's record the hub cannot read, or null when it can read them all:
 * an amount that is no whole number of fen (NULL, or `123.45` from a DECIMAL column, which the driver
 * hands over as text), or a date that names no day (`0000-00-00`, `2026-02-30`, which MariaDB keeps
 * outside strict mode). Departments export such rows; one of them must not make the whole answer fail.
 */
export function unreadableValue(r: AidRecord): 'amountFen' | 'grantDate' | 'periodStart' | 'periodEnd' | null {
  if (typeof r.amountFen !== 'number' || !Number.isSafeInteger(r.amountFen)) return 'amountFen';
  for (const field of ['grantDate', 'periodStart', 'periodEnd'] as const) {
    const value: unknown = r[field];
    if (value != null && (typeof value !== 'string' || !isIsoDate(value))) return field;
  }
  return null;
}
