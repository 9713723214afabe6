/**
 * Programmes granted only in a season of the year: 冬春救助 (WINTER_SPRING_RELIEF), the emergency
 * office's relief of disaster victims' basic living over winter and spring, runs December to May,
 * its money reaching victims within 15 working days of allocation (DOMAIN.md, "Departments"). A
 * grant of it dated June to November is no 冬春救助: a typo of its date, or aid of another programme
 * (受灾人员过渡期生活救助, 临时救助) reported under this code, which would count in the season's
 * totals and in no programme it was. Refused, not warned: the policy names no exception (the seeds
 * name no 冬春救助 at all), and the 15 working days are allowed for: money allocated by 31 May may
 * reach its victim up to the 15th working day after (in June). The one definition aidReport (and
 * `npm run report`, which sends to it), preGrantCheck and a meeting's, a correction's or a
 * reassignment's decision hold a date to.
 */
import type { IsoDate } from './dates';
import { addWorkingDays } from './cases/working-days';

interface Season {
  /** The months it is granted in, in words. */
  months: string;
  /** Whether a month (1–12) is one of them. */
  inMonth: (month: number) => boolean;
  /** The last month's last day (MM-DD): money allocated by then reaches victims within `paidWithinWorkingDays`. */
  lastAllocation: string;
  paidWithinWorkingDays: number;
}

const SEASONS: ReadonlyMap<string, Season> = new Map([
  ['WINTER_SPRING_RELIEF', { months: 'December to May', inMonth: (m: number) => m === 12 || m <= 5, lastAllocation: '05-31', paidWithinWorkingDays: 15 }],
]);

/** Why a grant of the programme dated `date` is out of its season (OUT_OF_SEASON), or null (in season, or a programme of no season). */
export function outOfSeasonProblem(programmeCode: string, date: IsoDate): string | null {
  const season = SEASONS.get(programmeCode);
  if (!season || !/^\d{4}-\d{2}-\d{2}$/.test(date) || season.inMonth(Number(date.slice(5, 7)))) return null;
  const lastPaid = addWorkingDays(`${date.slice(0, 4)}-${season.lastAllocation}`, season.paidWithinWorkingDays).date;
  if (date <= lastPaid) return null;
  return `${programmeCode} is granted ${season.months} (money allocated by the season's end reaches victims within ${season.paidWithinWorkingDays} working days: at the latest ${lastPaid} this year): a grant in June to November is out of its season`;
}
