/**
 * An alert's dates under the holiday calendar in force. An alert keeps its 签收, verification and
 * decision days (monitoring_alert.acknowledge_by, verify_by, decide_by: the inbox, the supervision
 * view and overdueReport find late alerts in SQL through them), counted when it was raised under the
 * calendar of that day. A year without its State Council notice is counted from the days the law
 * fixes alone (provisional); once the notice is loaded (AIDHUB_HOLIDAYS_FILE) a day counted before
 * can be wrong: 1 working day of 签收 from a first clue on 2027-02-04 ends on 02-09 by the law's 春节
 * alone (02-05 to 02-08 off), but on 02-15 under a notice giving 02-05 to 02-13 off, and the township
 * read as late during the holiday stayed so.
 *
 * So, as the slips' due dates (db/cases/due-recount.ts) and the charities' claims
 * (db/charity/claim-recount.ts), a start under another calendar (its days, or which years a notice
 * covers: alertCountsFingerprint) or another `lastDayOff` than the last recount's counts each
 * alert's dates again from where and with what they were counted (签收 from the day of a move to
 * another township, else the first clue; the others from the first clue; the working days each was
 * counted with, kept since migration 0011: those of the limit that won at a raise), stores those that
 * moved and the provisional flag counted again, and a start under the same calendar reads no alert
 * (calendar_recount, `monitoring_alert`). A date in calendar days (its count kept since migration
 * 0013) moves only where its last day is off and the trigger set's `lastDayOff` says so (民法典 art.
 * 203), or back under KEEP or a corrected calendar. Either moves only while its period still runs
 * (periodsStillRunning: 签收 not yet signed for, an open alert's verification, a pending decision): a
 * date whose period has ended was met or missed under the calendar of its time and stays, so a closed
 * alert (verified and decided, dismissed) keeps every date. Its provisional flag is read again all
 * the same (every alert flagged provisional is read): cleared where the calendar in force gives its
 * kept dates alike, kept where it gives another day than the law alone gave, that day recorded in
 * its history (DEADLINE_KEPT, once per day in force; the latest names it), with no push. One whose
 * flag was cleared so is read again at later starts (provisional_cleared): a correction giving
 * another day flags it again, and the correction withdrawn clears it. A date of an alert raised
 * before the counts were kept is not moved here (its limit then is not known: it keeps its dates, and
 * its flag is never cleared, unless inferAlertDeadlineCounts finds its counts). Each write locks the alert and counts it again as it is then: an alert
 * dismissed or verified between the read and the write keeps the dates of its ended periods and is
 * not pushed again, and processes starting together write each date once. One stopped partway
 * stored no fingerprint, and the next start counts again.
 *
 * Each moved date is in the alert's history (DEADLINE_RECOUNTED, by the hub, the date's field and
 * its day before and after in the reason), and an alert whose decision is still pending and whose
 * pushed dates changed (verifyBy, decideBy or provisional: a push does not carry the 签收 day) is
 * pushed again to the subscriptions that were pushed it, as the decide-by backfill does
 * (resolvers/monitoring/decide-by-backfill.ts): an ALERT_RAISED with `reason: DEADLINE_RECOUNTED`.
 */
import type { HubDb } from '../../db/connect';
import { enqueueToToldSubscriptions } from '../../db/alert-delivery/outbox';
import type { LockingTx } from '../../db/locking';
import { markRecounted, markYearsRecounted, recountedUnder, yearsRecountedUnder } from '../../db/cases/due-recount';
import { alertsWithCountsAfter, alertsWithoutCountsAfter, keepInferredCounts, keepOlderReleaseCalendarDays, storeRecountedDeadlines, type AlertRow } from '../../db/monitoring/store';
import { inferredDeadlineCounts, recountedDeadlines } from '../../domain/monitoring/alerts';
import { activeHolidayCalendar, buildHolidayCalendar, calendarCoverageFingerprint, calendarYearFingerprints, type LastDayOff } from '../../domain/cases/working-days';
import { createHash } from 'node:crypto';
import { limitOfAlert, type TriggerSet } from '../../domain/monitoring/triggers';
import { envelopeOf } from './detect';

/** Alerts read per statement. */
const PAGE = 1000;

/** The calendar_recount row of the alerts' dates. */
const RECOUNT_NAME = 'monitoring_alert';

export interface RecountedAlert {
  alertId: number;
  before: Pick<AlertRow, 'acknowledgeBy' | 'verifyBy' | 'decideBy' | 'provisional'>;
  after: Pick<AlertRow, 'acknowledgeBy' | 'verifyBy' | 'decideBy' | 'provisional'>;
}

/**
 * What an alert's dates and provisional flag are counted under: the holiday calendar with which years
 * a notice covers (calendarCoverageFingerprint: a notice giving the days the law alone gives changes
 * no day but clears the flag of the dates counted in its year), and the trigger set's rule for a
 * calendar-day limit whose last day is off (`lastDayOff`, 民法典 art. 203), so that a start under
 * another rule counts them again as a new calendar does. KEEP, the day as counted, changes no date a
 * calendar-day limit gives: its fingerprint is the calendar's alone.
 *
 * A hub whose last recount stored the fingerprint of the calendar's days alone (before coverage was
 * in it) counts every alert again once at its next start. That is harmless: counted again under the
 * calendar its dates were counted under, a date still running moves nothing, a flag is set as that
 * calendar gives it (cleared only where a notice confirms it, the defect this fixes), a
 * DEADLINE_KEPT already naming the day in force is not told again, and an alert is pushed only where
 * its pushed dates or flag changed.
 */
export function alertCountsFingerprint(lastDayOff: LastDayOff, calendar: string = calendarCoverageFingerprint()): string {
  return lastDayOff === 'KEEP' ? calendar : createHash('sha256').update(`${calendar}|lastDayOff=${lastDayOff}`).digest('hex');
}

/** The calendar_recount row of the counts inferred for alerts raised before they were kept. */
const INFER_NAME = 'monitoring_alert_counts';

/**
 * Alerts raised before migration 0011 kept their dates without the working days they were counted
 * with, so no recount could move them and their provisional flag never cleared once the year's
 * notice was loaded. Where an alert's dates show the limit of the trigger set in force for its trigger
 * and grade (domain/monitoring/alerts.ts inferredDeadlineCounts, under the calendar in force or the
 * package's table alone), those counts are kept and its dates counted again at once, as a recount
 * does (DEADLINE_RECOUNTED in its history for a day that moved, pushed again while its decision is
 * pending; a provisional flag the calendar no longer bears is cleared). Others keep their dates as
 * before. Once per calendar, as the recount; returns the alerts whose counts it kept.
 */
export async function inferAlertDeadlineCounts(hub: HubDb, triggerSet: TriggerSet, now: Date = new Date(), calendarOnly: string = calendarCoverageFingerprint()): Promise<{ kept: number; recounted: RecountedAlert[] }> {
  const calendar = alertCountsFingerprint(triggerSet.lastDayOff, calendarOnly);
  if ((await recountedUnder(hub, INFER_NAME)) === calendar) return { kept: 0, recounted: [] };
  const calendars = [activeHolidayCalendar(), buildHolidayCalendar()];
  let kept = 0;
  const recounted: RecountedAlert[] = [];
  for (let after = 0; ; ) {
    const rows = await alertsWithoutCountsAfter(hub, after, PAGE);
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    for (const read of rows) {
      const counts = inferredDeadlineCounts(read, limitOfAlert(triggerSet, read.triggerId, read.grade), calendars);
      if (!counts) continue;
      const withCounts = await keepInferredCounts(hub, read, counts);
      if (!withCounts) continue;
      kept++;
      const stored = await storeRecountedDeadlines(hub, withCounts, (a) => recountedDeadlines(a, triggerSet.lastDayOff), now, pushRecounted);
      if (stored) recounted.push({ alertId: read.id, before: datesOf(stored.before), after: datesOf(stored.after) });
    }
  }
  await markRecounted(hub, INFER_NAME, calendar, now);
  return { kept, recounted };
}

/**
 * Counts every alert's dates under the calendar in force and the trigger set's `lastDayOff`
 * (history events and pushes at `now`) unless the last recount ran under both
 * (alertCountsFingerprint): the dates, in working or calendar days, of periods still running
 * (periodsStillRunning: a closed period's day stays as reported).
 * First gives the alerts a process of the release before migration 0013 raised, or gave its counts,
 * their calendar days (keepOlderReleaseCalendarDays: of the alerts not yet checked, none once all
 * are), and then counts every alert again even under the same calendar and rule if it gave any.
 * Returns the alerts this call wrote.
 */
export async function recountAlertDeadlines(hub: HubDb, triggerSet: Pick<TriggerSet, 'lastDayOff'>, now: Date = new Date(), calendarOnly: string = calendarCoverageFingerprint()): Promise<RecountedAlert[]> {
  const calendar = alertCountsFingerprint(triggerSet.lastDayOff, calendarOnly);
  // Alerts a process of the release before 0013 raised or gave its counts since the last start (a
  // rolling upgrade; left unchecked) get their calendar days first; if any did, every alert is read
  // again, so their days off move at this start.
  const given = await keepOlderReleaseCalendarDays(hub, PAGE);
  const last = await recountedUnder(hub, RECOUNT_NAME);
  if (given === 0 && last === calendar) return [];
  // The alerts whose flag a notice cleared are read only where their counts touch a year whose days
  // changed since the last recount (all of them after an older release's alerts got their days, or
  // with no years stored with the last recount): the others' dates, flags and days in force are alike.
  // A year's days in force and in the package's table (a provisional calendar an ended date is read against).
  const packageYears = calendarYearFingerprints(buildHolidayCalendar());
  const years = new Map([...calendarYearFingerprints(activeHolidayCalendar(), `lastDayOff=${triggerSet.lastDayOff}`)].map(([y, f]) => [y, createHash('sha256').update(`${f}|${packageYears.get(y)}`).digest('hex')]));
  const lastYears = given === 0 && last !== null ? await yearsRecountedUnder(hub, RECOUNT_NAME, last) : null;
  const clearedYears = lastYears === null ? null : [...years].filter(([y, f]) => lastYears.get(y) !== f).map(([y]) => y);
  const written: RecountedAlert[] = [];
  for (let after = 0; ; ) {
    const rows = await alertsWithCountsAfter(hub, after, PAGE, clearedYears);
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    for (const read of rows) {
      const stored = await storeRecountedDeadlines(hub, read, (a) => recountedDeadlines(a, triggerSet.lastDayOff), now, pushRecounted);
      if (stored) written.push({ alertId: read.id, before: datesOf(stored.before), after: datesOf(stored.after) });
    }
  }
  await markYearsRecounted(hub, RECOUNT_NAME, calendar, years);
  await markRecounted(hub, RECOUNT_NAME, calendar, now);
  return written;
}

function datesOf(a: AlertRow): RecountedAlert['before'] {
  return { acknowledgeBy: a.acknowledgeBy, verifyBy: a.verifyBy, decideBy: a.decideBy, provisional: a.provisional };
}

/** Queues the push of an alert still pending its decision whose pushed dates changed to the subscriptions that were pushed it. */
async function pushRecounted(tx: LockingTx, before: AlertRow, alert: AlertRow): Promise<void> {
  if (alert.decidedOn !== null) return;
  if (alert.verifyBy === before.verifyBy && alert.decideBy === before.decideBy && alert.provisional === before.provisional) return;
  await enqueueToToldSubscriptions(tx, [{ ...envelopeOf({ event: 'ALERT_RAISED', alert }), reason: 'DEADLINE_RECOUNTED' as const }]);
}
