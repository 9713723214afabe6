/**
 * Validation of aid reported directly to the hub (aidReport and its CSV file): every record of a
 * batch is checked, and any problem rejects the whole batch, with one error per problem naming the
 * record's index, so a reporter fixes everything in one round. Pure: the ledger's own checks
 * (references already used, what a correction supersedes) are in db/reported-aid/.
 */
import { createHash } from 'node:crypto';
import { MAX_AMOUNT_FEN, OTHER_DIGITS_IN_SETTLEMENT, settlementReferenceOf, typedCode } from '../aid';
import { holdsOtherDigits } from '../half-width';
import { isIsoDate, type IsoDate } from '../dates';
import { periodTooLongMessage, RECURRING_APPROVAL_MAX_YEARS } from '../findings/periods';
import { reportedPeriodTooLong } from './beyond-term';
import type { OfficeCode } from '../departments';
import { HUB_ID } from '../hub-id';
import { checkIdNumber, isOldIdNumber, typedIdNumber } from '../id-number';
import { programmeForWomenProblem } from '../programme-beneficiaries';
import { outOfSeasonProblem } from '../programme-seasons';
import { isServiceProgramme, MONEY_AMOUNT_MESSAGE, PROGRAMME_BY_CODE, PROGRAMMES, SERVICE_AMOUNT_MESSAGE } from '../programmes';
import { longerThan } from '../text-length';
import { screenedReference } from '../text-screen';

/** An aidReport batch holds at most this many records. */
export const MAX_REPORT_BATCH = 1000;

/** The largest fen amount the ledger stores (INT UNSIGNED, kept below MySQL's INT max): domain/aid.ts MAX_AMOUNT_FEN. */
export const MAX_REPORTED_FEN = MAX_AMOUNT_FEN;

export type ReportEntryKind = 'AID' | 'CORRECTION' | 'REVERSAL';

/** One record as a reporter sends it. */
export interface ReportedAidInput {
  reference: string;
  entryKind?: ReportEntryKind | null;
  supersedesReference?: string | null;
  beneficiaryIdNumber: string;
  programme: string;
  grantDate?: IsoDate | null;
  periodStart?: IsoDate | null;
  periodEnd?: IsoDate | null;
  amountFen: number;
  settlementRef?: string | null;
  caseReference?: string | null;
  needId?: string | null;
}

/** A record that passed validation, normalised (ID number upper-cased, empty strings as null). */
export interface ValidReportedAid {
  reference: string;
  entryKind: ReportEntryKind;
  supersedesReference: string | null;
  beneficiaryIdNumber: string;
  programme: string;
  grantDate: IsoDate | null;
  periodStart: IsoDate | null;
  periodEnd: IsoDate | null;
  amountFen: number;
  settlementRef: string | null;
  caseReference: string | null;
  needId: string | null;
}

export type ReportErrorCode =
  | 'BATCH_EMPTY'
  | 'BATCH_TOO_LARGE'
  | 'REFERENCE_INVALID'
  | 'REFERENCE_IDENTIFIES'
  | 'REFERENCE_REPEATED_IN_BATCH'
  | 'REFERENCE_CONFLICT'
  | 'ID_NUMBER_INVALID'
  | 'PROGRAMME_UNKNOWN'
  | 'PROGRAMME_NOT_REPORTER'
  | 'DATE_REQUIRED'
  | 'DATE_INVALID'
  | 'PERIOD_INVALID'
  | 'PERIOD_TOO_LONG'
  | 'OUT_OF_SEASON'
  | 'PROGRAMME_FOR_WOMEN'
  | 'AMOUNT_INVALID'
  | 'SETTLEMENT_NOT_MEDICAL'
  | 'SETTLEMENT_REF_INVALID'
  | 'SUPERSEDES_REQUIRED'
  | 'SUPERSEDES_UNKNOWN'
  | 'SUPERSEDES_ALREADY_SUPERSEDED'
  | 'REVERSAL_MISMATCH'
  | 'REVERSAL_OF_REVERSAL'
  | 'SUPERSEDES_CHARITY_DELIVERY'
  | 'SAME_AS_CHARITY_DELIVERY'
  | 'TEXT_TOO_LONG'
  | 'REPORTER_NOT_ALLOWED'
  | 'CHARITY_NOT_REGISTERED'
  | 'NEED_UNKNOWN'
  | 'NEED_NOT_OF_BENEFICIARY'
  | 'CONSENT_REVOKED'
  | 'NEED_PURPOSE_MISMATCH'
  | 'CASE_UNKNOWN'
  | 'CASE_NOT_OF_BENEFICIARY'
  | 'BENEFICIARY_DECEASED';

export interface ReportError {
  /** The record's position in the batch (0-based); null for the batch as a whole. */
  index: number | null;
  code: ReportErrorCode;
  /** The field at fault, as named in the input. */
  field: string | null;
  message: string;
}

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;

/**
 * A reference as the ledger keys it: the unique key (reporter, reference) compares without regard to
 * case (the column's collation, utf8mb4_unicode_ci), so DF-2026-010 and df-2026-010 are one
 * reference, and every match of references in the hub's code goes through this key. References are
 * ASCII (REFERENCE), so upper-casing is that comparison.
 */
export function referenceKey(reference: string): string {
  return reference.toUpperCase();
}

/**
 * Whether a reference carries an ID number (however split), a mobile number as people write one
 * (joined, or in groups of 3-4-4 or 3-8 parted by spaces, dashes, dots, middle dots or 、), fifteen
 * digits or more in a row (an account) or a Luhn-valid card printed in groups, as a charity's
 * reference is screened (domain/text-screen.ts screenedReference): other parties read a record's reference (`reportedBy.reference` beside the
 * household's aid), so it is the reporter's own numbering, never a person's or an account's. Dates
 * and sequence numbers pass (`DF-2026-0301-0001`). A settlement reference is not screened: it is
 * the hospital's, and long digit runs are what it is.
 */
export function referenceIdentifies(reference: string): boolean {
  const screened = screenedReference(reference);
  return !screened.ok && screened.problem === 'IDENTIFYING_NUMBER';
}

export const REFERENCE_IDENTIFIES_MESSAGE = 'a reference carries an ID, phone or account number; others read it: use your own numbering';

/** What a reporter's reference means: the text trimmed (a CSV cell or a form keeps spaces), or null when no reference can be written so. */
export function normaliseReference(raw: string): string | null {
  const reference = raw.trim();
  return REFERENCE.test(reference) ? reference : null;
}

function text(v: string | null | undefined): string | null {
  const t = v?.trim();
  return t ? t : null;
}

/**
 * A record as the ledger holds it once taken: trimmed, empty strings as null, the ID number as typed
 * in capitals (as validateReport normalises a valid record), the settlement number as typed
 * (settlementReferenceOf), nothing checked. How a record is told
 * from the entry already under its reference (sameAsRecorded).
 */
export function recordedForm(r: ReportedAidInput): ValidReportedAid {
  return {
    reference: r.reference.trim(),
    entryKind: r.entryKind ?? 'AID',
    supersedesReference: text(r.supersedesReference),
    beneficiaryIdNumber: typedIdNumber(r.beneficiaryIdNumber),
    programme: r.programme,
    grantDate: text(r.grantDate),
    periodStart: text(r.periodStart),
    periodEnd: text(r.periodEnd),
    amountFen: r.amountFen,
    settlementRef: settlementReferenceOf(r.settlementRef),
    caseReference: text(r.caseReference),
    needId: text(r.needId),
  };
}

/** A ledger entry as far as a record sent again is compared with it. */
export interface RecordedEntry {
  reference: string;
  supersedesReference: string | null;
  contentHash: string;
}

/**
 * Whether `r` is the very record the ledger holds under its reference (a retry): the same content,
 * references compared as recorded (the case the ledger holds them in: referenceKey).
 */
export function sameAsRecorded(r: ValidReportedAid, recorded: RecordedEntry): boolean {
  const sameSupersedes = r.supersedesReference !== null && recorded.supersedesReference !== null && referenceKey(r.supersedesReference) === referenceKey(recorded.supersedesReference);
  return recorded.contentHash === contentHash({ ...r, reference: recorded.reference, supersedesReference: sameSupersedes ? recorded.supersedesReference : r.supersedesReference });
}

/**
 * What a reporter whose programme was refused writes instead: the code of a programme it named by
 * its name (冬春救助, as its spreadsheet says it), and its office's codes. The catalogue's codes are
 * written nowhere a clerk reads, and "no programme with that code" sent one guessing.
 */
function programmeHint(office: OfficeCode, written: string): string {
  const own = PROGRAMMES.filter((p) => p.department === office);
  const named = own.find((p) => p.name === written.trim());
  if (named) return `: ${named.name} is written by its code, ${named.code}`;
  return own.length > 0 ? `; the office's programmes are ${own.map((p) => `${p.code} (${p.name})`).join(', ')}` : '';
}

/**
 * Checks a batch from a reporter of `office`. Returns the valid records, or every problem found
 * (never both): one bad record rejects the batch.
 *
 * `recorded` holds the reporter's ledger entries under the batch's references (by referenceKey): a
 * record that is one of them exactly (sameAsRecorded) is a retry, taken as it stands and listed in
 * `retries`, before any check, so a retry stays "already recorded" whatever check was added since it
 * was recorded (a service's money, AMOUNT_INVALID; a reference screened since). The ledger answers it
 * (db/reported-aid/store.ts recordReportedAid); a record differing from its entry is checked as any.
 */
export function validateReport(
  office: OfficeCode,
  records: readonly ReportedAidInput[],
  today: IsoDate,
  recorded: ReadonlyMap<string, RecordedEntry> = new Map(),
): { ok: true; records: ValidReportedAid[]; retries: ReadonlySet<number> } | { ok: false; errors: ReportError[] } {
  if (records.length === 0) return { ok: false, errors: [{ index: null, code: 'BATCH_EMPTY', field: 'records', message: 'a report holds at least one record' }] };
  if (records.length > MAX_REPORT_BATCH) {
    return { ok: false, errors: [{ index: null, code: 'BATCH_TOO_LARGE', field: 'records', message: `a report holds at most ${MAX_REPORT_BATCH} records` }] };
  }
  const errors: ReportError[] = [];
  const valid: ValidReportedAid[] = [];
  const seen = new Map<string, number>();
  const retries = new Set<number>();
  records.forEach((r, index) => {
    const fail = (code: ReportErrorCode, field: string | null, message: string) => errors.push({ index, code, field, message });
    const before = errors.length;
    const reference = r.reference.trim();
    // An entry recorded before settlement numbers were read as typed (full-width digits kept as
    // sent), or before their letters were upper-cased (`ｘ１` hashed as `x1`), is retried as it was
    // recorded: the same record, answered alreadyRecorded.
    const stored = recorded.get(referenceKey(reference));
    const form = recordedForm(r);
    const retry = stored && [form, { ...form, settlementRef: text(r.settlementRef) }, { ...form, settlementRef: typedCode(r.settlementRef) }].find((f) => sameAsRecorded(f, stored));
    if (retry) {
      if (seen.has(referenceKey(reference))) fail('REFERENCE_REPEATED_IN_BATCH', 'reference', `the same reference as record ${seen.get(referenceKey(reference))}`);
      else {
        seen.set(referenceKey(reference), index);
        retries.add(index);
        valid.push(retry);
      }
      return;
    }
    if (normaliseReference(reference) === null) fail('REFERENCE_INVALID', 'reference', 'a reference is 1–64 letters, digits or . _ : / -, starting with a letter or digit');
    else if (referenceIdentifies(reference)) fail('REFERENCE_IDENTIFIES', 'reference', REFERENCE_IDENTIFIES_MESSAGE);
    else if (seen.has(referenceKey(reference))) fail('REFERENCE_REPEATED_IN_BATCH', 'reference', `the same reference as record ${seen.get(referenceKey(reference))}`);
    else seen.set(referenceKey(reference), index);

    const id = checkIdNumber(r.beneficiaryIdNumber, today);
    // An old 15-digit number is said to be one, with what to ask for (checkIdNumber's message, which
    // quotes no digit): "(LENGTH)" alone named no cause the reporter could act on.
    if (!id.ok) fail('ID_NUMBER_INVALID', 'beneficiaryIdNumber', `not a valid ID number (${id.problem})${id.problem === 'LENGTH' && isOldIdNumber(typedIdNumber(r.beneficiaryIdNumber)) ? `: ${id.message}` : ''}`);

    const entryKind = r.entryKind ?? 'AID';
    const supersedes = text(r.supersedesReference);
    if (entryKind !== 'AID' && !supersedes) fail('SUPERSEDES_REQUIRED', 'supersedesReference', 'a correction or reversal names the reference it supersedes');
    if (entryKind === 'AID' && supersedes) fail('SUPERSEDES_REQUIRED', 'entryKind', 'a record that supersedes another is a CORRECTION or REVERSAL');

    const programme = PROGRAMME_BY_CODE.get(r.programme);
    if (!programme) fail('PROGRAMME_UNKNOWN', 'programme', `no programme with that code in the catalogue${programmeHint(office, r.programme)}`);
    else if (programme.department !== office) fail('PROGRAMME_NOT_REPORTER', 'programme', `the programme is not one of the reporter's office${programmeHint(office, r.programme)}`);

    const grantDate = text(r.grantDate);
    const periodStart = text(r.periodStart);
    const periodEnd = text(r.periodEnd);
    // Aid is recorded once given (救后录入): a grant date or a period's first day after today is aid
    // not given yet. A recurring grant's period, though, is decided ahead (受灾人员过渡期生活救助
    // granted from December to next November): its end may lie after today, within the longest
    // term a recurring grant is approved for (below); what counts as given stays the months to today
    // (aidSummary, X8 count to today; the adapter reads the record ACTIVE until its end).
    const endMayBeAhead = programme?.kind === 'RECURRING';
    for (const [field, v] of [['grantDate', grantDate], ['periodStart', periodStart], ['periodEnd', periodEnd]] as const) {
      if (v && (!isIsoDate(v) || (v > today && !(field === 'periodEnd' && endMayBeAhead)))) fail('DATE_INVALID', field, 'a date is YYYY-MM-DD and not after today (a recurring period\'s end aside)');
    }
    // Aid cannot be given before its beneficiary was born (the birth date is digits 7-14 of the ID
    // number): such a date is a typo, 1926 for 2026, which the ledger would otherwise keep as aid.
    // The message names no date, since the birth date is the beneficiary's.
    const first = grantDate ?? periodStart;
    if (id.ok && first && isIsoDate(first) && first < id.birthDate) {
      fail('DATE_INVALID', grantDate ? 'grantDate' : 'periodStart', "a date is not before the beneficiary's birth (digits 7-14 of the ID number)");
    }
    if (programme?.kind === 'ONE_OFF' && (!grantDate || periodStart || periodEnd)) fail('DATE_REQUIRED', 'grantDate', 'a one-off programme takes a grant date and no period');
    // 冬春救助 out of its season (domain/programme-seasons.ts); a reversal grants nothing.
    const outOfSeason = programme && grantDate && isIsoDate(grantDate) && entryKind !== 'REVERSAL' ? outOfSeasonProblem(programme.code, grantDate) : null;
    if (outOfSeason) fail('OUT_OF_SEASON', 'grantDate', outOfSeason);
    // "两癌"救助 or 春蕾计划 to a man's ID number (domain/programme-beneficiaries.ts); a reversal takes such a record back.
    const forWomen = programme && id.ok && entryKind !== 'REVERSAL' ? programmeForWomenProblem(programme.code, id.idNumber) : null;
    if (forWomen) fail('PROGRAMME_FOR_WOMEN', 'beneficiaryIdNumber', forWomen);
    if (programme?.kind === 'RECURRING') {
      if (!periodStart || grantDate) fail('DATE_REQUIRED', 'periodStart', `a recurring programme takes a period start (and an end: the day it stopped, or the end it is granted for, at most ${RECURRING_APPROVAL_MAX_YEARS} years on), no grant date`);
      else if (periodEnd && periodEnd < periodStart) fail('PERIOD_INVALID', 'periodEnd', 'the period ends before it starts');
      // A period still running (an end ahead, or none) runs at most five years from its start, as
      // preGrantCheck holds a period (periodTooLong, PERIOD_TOO_LONG there too): no recurring grant
      // is approved for longer before it is decided again. An end of 2099-12-31, or a start of 1939
      // for 2019 with no end, is a typo the ledger would keep as aid granted for decades (1,055
      // months in aidSummary), X1/X4/X9 overlapping it for as long. An end already past is what was
      // paid, and is taken. A reversal grants nothing: it carries the period of the entry it takes
      // back (REVERSAL_MISMATCH otherwise), one recorded before the rule too (a correction closes
      // such an entry with its past end).
      // A start refused already (before the birth) is judged once it is fixed: one problem per date.
      else if (entryKind !== 'REVERSAL' && isIsoDate(periodStart) && (!periodEnd || isIsoDate(periodEnd)) && !errors.slice(before).some((e) => e.field === 'periodStart')) {
        const tooLong = reportedPeriodTooLong(periodStart, periodEnd, today);
        if (tooLong) fail('PERIOD_TOO_LONG', tooLong.field, periodTooLongMessage(tooLong));
      }
    }

    if (!Number.isSafeInteger(r.amountFen) || r.amountFen < 0 || r.amountFen > MAX_REPORTED_FEN) fail('AMOUNT_INVALID', 'amountFen', `an amount is whole fen, 0 to ${MAX_REPORTED_FEN}`);
    else if (entryKind === 'REVERSAL' && r.amountFen !== 0) fail('AMOUNT_INVALID', 'amountFen', 'a reversal carries amount 0');
    // Whether 0 is allowed is the programme's: of a code naming none (PROGRAMME_UNKNOWN) nothing is
    // known, and a service's 0 sent as `legal_aid` was also told "aid in money is more than 0 fen".
    else if (entryKind !== 'REVERSAL' && r.amountFen === 0 && programme && !isServiceProgramme(programme)) fail('AMOUNT_INVALID', 'amountFen', MONEY_AMOUNT_MESSAGE);
    // A service (法律援助) is given, not paid to the household: money recorded for it counted in the
    // household's aid totals and the dossier as cash the household never received.
    else if (entryKind !== 'REVERSAL' && r.amountFen !== 0 && programme && isServiceProgramme(programme)) fail('AMOUNT_INVALID', 'amountFen', SERVICE_AMOUNT_MESSAGE);

    const settlementRef = settlementReferenceOf(r.settlementRef);
    if (settlementRef && programme && programme.purpose !== 'MEDICAL') fail('SETTLEMENT_NOT_MEDICAL', 'settlementRef', 'only medical aid is tied to a hospital settlement');
    // Only full-width digits are read as ASCII (typedCode): one in 𝟑𝟕𝟎… (which NFKC read as ASCII)
    // stored as typed names no stay, and the aid counted in no stay's sum (X7).
    if (settlementRef && holdsOtherDigits(settlementRef)) fail('SETTLEMENT_REF_INVALID', 'settlementRef', OTHER_DIGITS_IN_SETTLEMENT);
    for (const [field, v] of [['settlementRef', settlementRef], ['caseReference', text(r.caseReference)], ['supersedesReference', supersedes]] as const) {
      if (v && longerThan(v, 64)) fail('TEXT_TOO_LONG', field, 'at most 64 characters');
    }
    // The case reference is shown beside the household's aid to every office that reads it
    // (AidRecord.caseReference), as the reference is: a case number, the hub's (AH-2026-000023) or
    // the office's own, never a person's ID, phone or account number. It was stored and shown whole.
    const caseReference = text(r.caseReference);
    if (caseReference && !longerThan(caseReference, 64) && referenceIdentifies(caseReference)) fail('REFERENCE_IDENTIFIES', 'caseReference', REFERENCE_IDENTIFIES_MESSAGE);
    // A link to a published charity need (charityNeeds' id): whether it names one, and one of the
    // beneficiary's household, is the ledger's check (resolvers/reported-aid/needs.ts).
    const needId = text(r.needId);
    if (needId && !HUB_ID.test(needId)) fail('NEED_UNKNOWN', 'needId', 'needId is the id of a published charity need (a whole number, as charityNeeds gives it)');

    if (errors.length === before && id.ok) valid.push(form);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, records: valid, retries };
}

/**
 * Why records of a batch are aid given after their beneficiary's death, one error per record:
 * `deathDates` are the deaths the hub knows (civil affairs' register, the hub's person), by ID
 * number. Aid dated on the day of death counts as given to the living person (as a first aid or a
 * decision), one dated later is refused: it is a wrong ID number or money paid to no one the hub can
 * aid, and the ledger would keep it as the dead person's aid. A recurring record whose period
 * started before the death and runs past it is taken: X8 (recurring aid paid after death) answers it
 * in the batch's conflicts, as it does a department's. A reversal is always taken: it takes such a
 * record back. The message names no date, the death being the beneficiary's.
 */
export function deceasedProblems(records: readonly ValidReportedAid[], deathDates: ReadonlyMap<string, IsoDate>): ReportError[] {
  const errors: ReportError[] = [];
  records.forEach((r, index) => {
    const died = deathDates.get(r.beneficiaryIdNumber);
    const first = r.grantDate ?? r.periodStart;
    if (r.entryKind === 'REVERSAL' || died === undefined || first === null || first <= died) return;
    errors.push({ index, code: 'BENEFICIARY_DECEASED', field: r.grantDate ? 'grantDate' : 'periodStart', message: 'the hub records the beneficiary as deceased before this date' });
  });
  return errors;
}

/** The hash that makes "the same record under the same reference" exact: every field, in order. */
export function contentHash(r: ValidReportedAid): string {
  const fields = [r.reference, r.entryKind, r.supersedesReference, r.beneficiaryIdNumber, r.programme, r.grantDate, r.periodStart, r.periodEnd, r.amountFen, r.settlementRef, r.caseReference, r.needId];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
