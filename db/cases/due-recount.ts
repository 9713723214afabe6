/**
 * A slip's due date under the holiday calendar in force. A slip keeps its due date (referral_slip
 * .due_on: supervision finds overdue slips through the (state, due_on) index), counted when it was
 * issued under the calendar of that day. A year without its State Council notice is counted from the
 * days the law fixes alone (provisional: its bridging days and worked weekends, 调休, are not known);
 * once the notice is loaded (AIDHUB_HOLIDAYS_FILE) or the installed table covers the year, a date
 * counted before can be wrong: 6 working days from 2027-02-04 end on 02-16 by the law's 春节 alone,
 * but on 02-20 (a worked Saturday) under a notice giving 02-06 to 02-13 off. Read with the new
 * calendar the slip then said 02-16 and no longer provisional, and was overdue during the holiday.
 *
 * So at start-up, with the calendar built, the hub counts the due date of every slip still waiting
 * for its answer (WAITING_REFERRAL_STATES: ISSUED, ACCEPTED) again from where it was counted (the
 * meeting's day for a meeting's decisions, the day issued, China time, otherwise: read as every slip
 * shown reads it, waitingSlipCounts) and stores the
 * ones that moved. An answered slip's (COMPLETED, DECLINED, SUPERSEDED) is history: it was met or
 * missed under the calendar of its time, and supervision reads it so (slipStanding, an overdue report
 * as of a past day), so it stays as counted; counted without a notice since loaded that gives another
 * day, it stays provisional (domain/cases/supervision.ts referralDue reads that, no flag is stored). A slip's count depends only on that day, its working days and
 * the calendar, so counting again under an unchanged calendar moves nothing: the calendar a recount
 * ran under is stored (calendar_recount, its fingerprint: domain/cases/working-days.ts
 * calendarFingerprint) once every slip was read, and a start under the same calendar reads that
 * row and no slip. A start under another one (a notice added, changed or removed) counts every slip
 * still waiting again. The update is conditional on the date read, so hub processes starting together write each
 * date once, and each stores the same fingerprint; one stopped partway stored none, and the next
 * start counts again.
 */
import { sealedTransaction, sealLater } from './seals';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { dueCountedFrom } from '../../domain/cases/supervision';
import type { IsoDate } from '../../domain/dates';
import { addWorkingDays, calendarFingerprint, withinSupported } from '../../domain/cases/working-days';
import { WAITING_REFERRAL_STATES } from '../../domain/cases/referrals';
import type { HubDb } from '../connect';
import { fromDbInstant, toDbInstant } from '../instants';
import { slipMeetingDay, type HubQuery } from './records';
import { calendarRecount, calendarRecountYear, referralSlip } from './schema';

/** Slips read per statement. */
const PAGE = 1000;

export interface RecountedDue {
  referralId: number;
  before: IsoDate;
  after: IsoDate;
}

/** A slip still waiting for its answer as the recount reads it: its due date, its limit and the day that is counted from. */
export interface WaitingSlipCount {
  id: number;
  dueOn: IsoDate;
  workingDays: number;
  /** The day its working days count from, read as every slip shown reads it (Referral.countedFrom: slipMeetingDay, dueCountedFrom). */
  countedFrom: IsoDate;
}

/** The slips still waiting for their answer with an id above `after`, in id order, at most `limit`: one statement. */
export async function waitingSlipCounts(hub: HubQuery, after: number, limit = PAGE): Promise<WaitingSlipCount[]> {
  const rows = await hub
    .select({ id: referralSlip.id, issuedAt: referralSlip.issuedAt, dueOn: referralSlip.dueOn, workingDays: referralSlip.deadlineWorkingDays, meetingDay: slipMeetingDay })
    .from(referralSlip)
    .where(and(gt(referralSlip.id, after), inArray(referralSlip.state, [...WAITING_REFERRAL_STATES])))
    .orderBy(asc(referralSlip.id))
    .limit(limit);
  return rows.map((r) => ({ id: r.id, dueOn: r.dueOn, workingDays: r.workingDays, countedFrom: dueCountedFrom({ issuedAt: fromDbInstant(r.issuedAt), meetingDay: r.meetingDay }) }));
}

/** The calendar `name`'s dates were last counted again under, or null: never (a hub before calendar_recount). */
export async function recountedUnder(hub: HubDb, name: string): Promise<string | null> {
  const [row] = await hub.select({ calendar: calendarRecount.calendar }).from(calendarRecount).where(eq(calendarRecount.name, name));
  return row?.calendar ?? null;
}

/** Records that `name`'s dates are counted under `calendar`, once all of them were. */
export async function markRecounted(hub: HubDb, name: string, calendar: string, now: Date): Promise<void> {
  const recountedAt = toDbInstant(now);
  await hub.insert(calendarRecount).values({ name, calendar, recountedAt }).onDuplicateKeyUpdate({ set: { calendar, recountedAt } });
}

/**
 * The per-year fingerprints `name`'s dates were last counted under, stored with the recount `recount`
 * (markYearsRecounted), or null: none stored with it (never, or a recount stopped between its writes).
 */
export async function yearsRecountedUnder(hub: HubDb, name: string, recount: string): Promise<Map<number, string> | null> {
  const rows = await hub.select({ year: calendarRecountYear.year, calendar: calendarRecountYear.calendar }).from(calendarRecountYear).where(and(eq(calendarRecountYear.name, name), eq(calendarRecountYear.recount, recount)));
  return rows.length === 0 ? null : new Map(rows.map((r) => [r.year, r.calendar]));
}

/** Records `name`'s per-year fingerprints under the recount `recount` (one statement), before markRecounted stores `recount`. */
export async function markYearsRecounted(hub: HubDb, name: string, recount: string, years: ReadonlyMap<number, string>): Promise<void> {
  await hub
    .insert(calendarRecountYear)
    .values([...years].map(([year, calendar]) => ({ name, year, calendar, recount })))
    .onDuplicateKeyUpdate({ set: { calendar: sql`VALUES(calendar)`, recount: sql`VALUES(recount)` } });
}

/**
 * Counts the due date of every slip still waiting for its answer under the calendar in force and
 * stores those that moved; returns what this call moved. Reads no slip when the last recount ran under the same calendar.
 */
export async function recountReferralDueDates(hub: HubDb, now: Date = new Date(), calendar: string = calendarFingerprint()): Promise<RecountedDue[]> {
  if ((await recountedUnder(hub, 'referral_slip')) === calendar) return [];
  const moved = await recountAll(hub);
  await markRecounted(hub, 'referral_slip', calendar, now);
  return moved;
}

async function recountAll(hub: HubDb): Promise<RecountedDue[]> {
  const moved: RecountedDue[] = [];
  for (let after = 0; ; ) {
    const rows = await waitingSlipCounts(hub, after);
    if (rows.length === 0) return moved;
    after = rows[rows.length - 1].id;
    for (const r of rows) {
      // A row written before the hub bounded its dates keeps the date it has (deadlines.ts reads it held inside the range).
      const from = withinSupported(r.countedFrom);
      if (from !== r.countedFrom || r.workingDays < 1) continue;
      let counted: IsoDate;
      try {
        counted = addWorkingDays(from, r.workingDays).date;
      } catch {
        continue;
      }
      if (counted === r.dueOn) continue;
      // Conditional on the date read and on the slip still waiting: one answered since the read keeps its date.
      // The slip's new due date and its seal commit together (db/cases/seals.ts).
      const changed = await sealedTransaction(hub, async (tx) => {
        const [res] = (await tx
          .update(referralSlip)
          .set({ dueOn: counted })
          .where(and(eq(referralSlip.id, r.id), eq(referralSlip.dueOn, r.dueOn), inArray(referralSlip.state, [...WAITING_REFERRAL_STATES])))) as unknown as [{ affectedRows: number }];
        if (res.affectedRows === 1) sealLater(tx, referralSlip, eq(referralSlip.id, r.id));
        return res.affectedRows === 1;
      });
      if (changed) moved.push({ referralId: r.id, before: r.dueOn, after: counted });
    }
  }
}
