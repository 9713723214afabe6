/**
 * The school year aid is for (2025-2026, September to August), as the rules counting by school year
 * (SAME_PURPOSE_TWICE per SCHOOL_YEAR: X6 国家助学金 with 金秋助学, X12 金秋助学 twice) read it: how a
 * pre-grant check's grant and a meeting's decision name it, and when it is refused. Pure: the
 * resolvers raise a problem as BAD_USER_INPUT at their argument (access/errors.ts).
 */
import type { IsoDate } from '../dates';
import { DATE_RANGE } from '../date-ranges';
import { schoolYearBounds, schoolYearOf, schoolYearsOf } from './periods';
import { rulesInForce, type Rule } from './rule-set';

/** The reasons a school year is refused (extensions.reason). */
export type SchoolYearReason = 'MALFORMED_SCHOOL_YEAR' | 'OUT_OF_RANGE' | 'SCHOOL_YEAR_MISMATCH' | 'SCHOOL_YEAR_REQUIRED';

/** Why a school year is refused: the reason, the message, and what the error carries besides. */
export interface SchoolYearProblem {
  reason: SchoolYearReason;
  message: string;
  extra: Record<string, unknown>;
}

/** Whether a rule in force counts the programme's grants per school year (X6, X12). */
export function countedBySchoolYear(programmeCode: string, rules: readonly Rule[]): boolean {
  return rulesInForce(rules).some((r) => r.kind === 'SAME_PURPOSE_TWICE' && r.per === 'SCHOOL_YEAR' && [...r.first, ...r.second].includes(programmeCode as never));
}

/**
 * The school year aid decided on `decidedOn` is counted in (X6, X12): the one the decision named, or
 * for aid counted by school year naming none, the year its day falls in (as the rules count a grant
 * without one); null for other aid.
 */
export function decidedSchoolYear(programmeCode: string, named: string | null, decidedOn: IsoDate, rules: readonly Rule[]): string | null {
  if (named !== null) return named;
  return countedBySchoolYear(programmeCode, rules) ? schoolYearOf(decidedOn) : null;
}

/**
 * The day a student's school stage and enrolment are judged on for aid of a school year: its grant
 * date (or its period's start), moved into the school year the aid is for when it falls outside it:
 * that year's first day (1 September) for aid granted ahead, its last (31 August) for aid paid late.
 * Education pays a year's aid ahead (国家助学金 for the coming year in August, the student still on
 * his 初中 entry, his 高中 one beginning in September) or late (a 初中 year's boarding subsidy in
 * September, the student in 高中 by then): the aid is that year's, and judged on the day it was paid
 * it was called the wrong stage, or given to no one on the roll. The same day for aid on record (X13,
 * domain/findings/kinds.ts) and aid proposed (the pre-grant check's schoolStage, and so a meeting's
 * SCHOOL_STAGE warning: resolvers/findings/live.ts). No school year, or one written otherwise (or
 * out of range): the aid's own day.
 */
export function schoolYearDayOf(aid: { grantDate: IsoDate | null; periodStart: IsoDate | null; schoolYear?: string | null }): IsoDate | null {
  const day = aid.grantDate ?? aid.periodStart;
  if (day === null || !aid.schoolYear || schoolYearWritingProblem(aid.schoolYear, 'schoolYear') !== null) return day;
  const { from, to } = schoolYearBounds(aid.schoolYear);
  return day < from ? from : day > to ? to : day;
}

/**
 * What is wrong with a school year as written (`argument` names it in the message), or null:
 * MALFORMED_SCHOOL_YEAR, or OUT_OF_RANGE (a year written in a string is a date argument too, held to
 * the same range: domain/date-ranges.ts). As the pre-grant check and a meeting's decision take it.
 */
export function schoolYearWritingProblem(schoolYear: string, argument: string): SchoolYearProblem | null {
  const m = /^(\d{4})-(\d{4})$/.exec(schoolYear);
  if (!m || Number(m[2]) !== Number(m[1]) + 1) return { reason: 'MALFORMED_SCHOOL_YEAR', message: 'schoolYear is written 2025-2026', extra: {} };
  const range = { min: `${DATE_RANGE.min.slice(0, 4)}-${Number(DATE_RANGE.min.slice(0, 4)) + 1}`, max: `${Number(DATE_RANGE.max.slice(0, 4)) - 1}-${DATE_RANGE.max.slice(0, 4)}` };
  if (schoolYear < range.min || schoolYear > range.max) return { reason: 'OUT_OF_RANGE', message: `${argument} must be a school year from ${range.min} to ${range.max}`, extra: range };
  return null;
}

/**
 * Why a grant's school year does not fit its days, as the pre-grant check and a meeting's decision
 * (dated the meeting's day) hold it, or null. `first` is a one-off grant's day or recurring aid's
 * first; `periodEnd` recurring aid's last (null: none, or one-off aid); `when` how the message names
 * those days. `replaced`: for a decision that replaces another (a correction's change, a
 * reassignment), the year that one was for, allowed besides (`as` names it): aid decided for the year
 * ending and declined in September is still that year's.
 */
export function schoolYearFitProblem(
  programme: { code: string; kind: string },
  days: { first: IsoDate; periodEnd: IsoDate | null; when: string },
  schoolYear: string | null,
  rules: readonly Rule[],
  replaced: { year: string; as: string } | null = null,
): SchoolYearProblem | null {
  const { first, periodEnd, when } = days;
  const recurring = programme.kind === 'RECURRING';
  // A grant's school year is one its days fall in (September to August, as the rules derive it for a
  // one-off grant when none is given; a period with no end, the year it starts in), or the next one
  // for a grant starting in the summer before it (July or August: 金秋助学 is paid then for the coming
  // year). A year that disagrees is a typo in one of the two, and taken as given it put the grant in
  // another year's count (X6 missed the repetition). Refused, not derived: which of the two is wrong
  // the hub cannot tell.
  if (schoolYear && schoolYear === replaced?.year) return null;
  const fitting = schoolYear ? schoolYearsOf(first, recurring ? (periodEnd ?? first) : first) : null;
  if (fitting && !fitting.includes(schoolYear!)) {
    const allowed = replaced ? [...new Set([...fitting, replaced.year])].sort() : fitting;
    const besides = replaced ? `, or ${replaced.as}, ${replaced.year}` : '';
    return { reason: 'SCHOOL_YEAR_MISMATCH', message: `schoolYear is not a school year ${when} is for (${fitting.join(' or ')}${besides}; a school year runs September to August)`, extra: { allowed } };
  }
  // Without one, a rule counting by school year puts a one-off grant in the year its grantDate falls
  // in (yearOf in domain/findings/kinds.ts); in July or August that is the year ending, while 金秋助学
  // is paid then for the coming one: a student paid last August was warned of X12 "twice" at the
  // normal time for this year's grant. Which year is meant the hub cannot tell: asked, not guessed.
  if (!recurring && !schoolYear && countedBySchoolYear(programme.code, rules)) {
    const years = schoolYearsOf(first, first);
    if (years.length > 1) return { reason: 'SCHOOL_YEAR_REQUIRED', message: `a grant in July or August may be for the school year ending or the one starting (${years.join(' or ')}): give schoolYear`, extra: { allowed: years } };
  }
  return null;
}
