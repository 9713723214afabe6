/**
 * A charity's claim on a need holds for CHARITY_CLAIM_WORKING_DAYS working days (db/charity/config.ts),
 * counted when it was made under the holiday calendar of that day and kept (charity_claim.lapses_on:
 * a claim is read as running while today is not after it). Counted in a year whose notice was not yet
 * loaded, the day is the law's alone: a claim made on 2027-02-04 for 5 working days lapsed on 02-15
 * by the law's 春节, but on 02-19 under a notice giving 02-05 to 02-13 off, and the charity lost sight
 * of the need's detail mid-week. So, as the slips' due dates (db/cases/due-recount.ts), a start under
 * another calendar than the last recount's counts again the day of every claim still running
 * (claimActive: not released, its last day not before the hub's today) from the day and working days
 * it was counted from, and a start under the same one reads no claim. A claim that has lapsed or was
 * released keeps its day: counted again, a later day would make it run again (claimActive reads the
 * day), and the charity would read the household's sealed detail without claiming anew.
 */
import { and, asc, eq, gt, gte, isNotNull, isNull } from 'drizzle-orm';
import type { IsoDate } from '../../domain/dates';
import { addWorkingDays, calendarFingerprint, withinSupported } from '../../domain/cases/working-days';
import { chinaDateOf } from '../../domain/cases/china-time';
import type { HubDb } from '../connect';
import { readDbNow } from '../instants';
import { markRecounted, recountedUnder } from '../cases/due-recount';
import { charityClaim } from './schema';

/** Claims read per statement. */
const PAGE = 1000;

export interface RecountedLapse {
  claimId: number;
  before: IsoDate;
  after: IsoDate;
}

/**
 * Counts the last day of every claim still running on today (China time, as claimActive reads it)
 * under the calendar in force unless the last recount ran under it; returns what this call moved.
 *
 * Today is the hub database's (one read), unless the caller gives its own (`now`, `today`: a test's
 * fixed clock). Which claims are running decides which are counted again, and the result is shared:
 * the recount is stored as done under this calendar, and no other process counts again. Taken from
 * a process's own clock, one a day ahead left uncounted a claim still running on the database's
 * today (it lapsed early for every process), one behind counted again a claim already lapsed and
 * made it run again.
 */
export async function recountClaimLapses(hub: HubDb, now?: Date, today?: IsoDate, calendar: string = calendarFingerprint()): Promise<RecountedLapse[]> {
  if ((await recountedUnder(hub, 'charity_claim')) === calendar) return [];
  if (now === undefined) now = await readDbNow(hub);
  today ??= chinaDateOf(now);
  // Running as claimActive reads it; the write is conditional on it too, so a claim released meanwhile keeps its day.
  const running = and(isNull(charityClaim.releasedAt), gte(charityClaim.lapsesOn, today));
  const moved: RecountedLapse[] = [];
  for (let after = 0; ; ) {
    const rows = await hub
      .select({ id: charityClaim.id, lapsesOn: charityClaim.lapsesOn, countedFrom: charityClaim.countedFrom, workingDays: charityClaim.workingDays })
      .from(charityClaim)
      .where(and(gt(charityClaim.id, after), isNotNull(charityClaim.countedFrom), isNotNull(charityClaim.workingDays), running))
      .orderBy(asc(charityClaim.id))
      .limit(PAGE);
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    for (const r of rows) {
      const from = r.countedFrom!;
      if (withinSupported(from) !== from || r.workingDays! < 1) continue;
      let counted: IsoDate;
      try {
        counted = addWorkingDays(from, r.workingDays!).date;
      } catch {
        continue;
      }
      if (counted === r.lapsesOn) continue;
      // Conditional on the day read: a claim renewed meanwhile (a new day and count) is left to its renewal.
      const [res] = (await hub
        .update(charityClaim)
        .set({ lapsesOn: counted })
        .where(and(eq(charityClaim.id, r.id), eq(charityClaim.lapsesOn, r.lapsesOn), eq(charityClaim.countedFrom, from), running))) as unknown as [{ affectedRows: number }];
      if (res.affectedRows === 1) moved.push({ claimId: r.id, before: r.lapsesOn, after: counted });
    }
  }
  await markRecounted(hub, 'charity_claim', calendar, now);
  return moved;
}
