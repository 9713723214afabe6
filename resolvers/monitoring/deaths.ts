/**
 * Deaths recorded at the hub, read as a department's change is. A death is no department's row but
 * the hub's own person data (civil affairs' register, `person.csv` of `npm run import`, the only
 * writer of `death_date`): with no change feed it opened `T3_DEATH_ON_ROLL` only at the next monthly
 * comparison, so a death imported after the month's run left the dead person on the roll, unalerted,
 * for weeks. The person table now carries a change marker (`changed_at`, db/household/schema.ts)
 * and is polled like a department's table (federation/change-feed.ts: one statement per poll,
 * through the marker's index, a watermark in `monitoring_watermark` under `HUB:person@changed_at`),
 * under its own lease (`monitor-deaths`, resolvers/monitoring/poller.ts).
 *
 * A changed row counts only if it records a death on or before today: a name corrected, or a whole
 * `person.csv` loaded for the first time, evaluates nobody. The households of those who died are
 * evaluated with the whole trigger set, by the code every poll and the monthly comparison run
 * (detect.ts), and only alerts about the dead are kept: T3, and any trigger a locality sets on a rule
 * that reads deaths (X8, aid after death), with no list here of which triggers those are. Alerts are
 * one per identity (T3's is the person and the day of death), so the monthly comparison later finds
 * the alert open and raises nothing, and a death imported again changes no row and reads nothing.
 */
import { person } from '../../db/household/schema';
import type { IsoDate } from '../../domain/dates';
import { updateTimeFeed, type PolledFeed } from '../../federation/change-feed';
import type { UnreadableLeftOut } from '../../federation/reads';
import type { AlertWrite } from '../../db/monitoring/store';
import { candidatesForPeople, type DetectDeps } from './detect';

/** The hub's person table as a change feed: its update time, the row's own ID number. */
export const PERSON_FEED: PolledFeed = updateTimeFeed('HUB', person, person.changedAt, person.idNumber);

/** Alerts about those of these people who have died (by today), for their households. Reads only. */
export function candidatesForDeaths(deps: DetectDeps, idNumbers: readonly string[], today: IsoDate, leaveOutUnreadable?: UnreadableLeftOut): Promise<AlertWrite[]> {
  return candidatesForPeople(deps, idNumbers, today, leaveOutUnreadable, (p) => p.deathDate !== null && p.deathDate <= today);
}
