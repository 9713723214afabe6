/**
 * A time an officer states for a step ("first aid was given last night", "the slip was answered on
 * Friday") beside the time the hub recorded it. Lateness and supervision run on the recorded time:
 * a stated time is the officer's word, kept and shown, never what a deadline is measured by, so
 * back-dating cannot turn a late step into one met on time. It is still bounded, so that the record
 * cannot be rewritten long after the fact:
 *
 * - a step of a case or slip may be stated at most STEP_BACKDATE_DAYS (10) China days before the day
 *   it is recorded: the longest run of days off in the holiday calendar (春节 2026, 02-15 … 02-23,
 *   nine days; 国庆 with 中秋 eight) plus the working day after it, the latest a step done in the
 *   field reaches the office's system. Counted in days, not hours: counted as 240 hours, a step done
 *   on the worked Saturday 02-14 morning and recorded on 02-24 afternoon was refused;
 * - a case's report may be stated at most REPORT_BACKDATE_DAYS (366) days back: its deadlines run
 *   from it, so an earlier report only brings them forward (it can never hide lateness); a year
 *   covers a paper application entered late, and the aid windows of the dossier look no further
 *   for a current need.
 * Both bounds are China dates: any time of the day so many days before the day it is recorded.
 *
 * A clock a little ahead of ours (CLOCK_SKEW_MS) is not "the future".
 */
import { addDays } from '../dates';
import { chinaDateOf } from './china-time';
import { caseError, type CaseUserError } from './errors';

export const STEP_BACKDATE_DAYS = 10;
export const REPORT_BACKDATE_DAYS = 366;
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

export type StatedTimeKind = 'STEP' | 'REPORT';

/** The stated time, or why it is refused (OCCURRED_IN_FUTURE, OCCURRED_TOO_EARLY). */
export function checkStatedTime(stated: Date, recordedAt: Date, kind: StatedTimeKind, field: string[]): Date | CaseUserError {
  if (stated.getTime() > recordedAt.getTime() + CLOCK_SKEW_MS) return caseError('OCCURRED_IN_FUTURE', `${field.at(-1)} is in the future`, field);
  const days = kind === 'REPORT' ? REPORT_BACKDATE_DAYS : STEP_BACKDATE_DAYS;
  if (chinaDateOf(stated) < addDays(chinaDateOf(recordedAt), -days)) {
    return caseError('OCCURRED_TOO_EARLY', `${field.at(-1)} may be at most ${days} days before the hub records it`, field);
  }
  return stated;
}
