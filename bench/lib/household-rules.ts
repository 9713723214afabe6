/**
 * The presentation rules of resolvers/household/resolvers.ts that the floor and the naive variant must
 * follow to give the same answer as the hub: aid order and age (the domain's own functions), the
 * default summary window (restated here; the pre-run comparison in bench/household.ts catches any
 * drift) and the member order, whose relation list is the hub's own (db/household/loaders.ts).
 */
import { addDays, type IsoDate } from '../../domain/dates';
import { RELATIONS_IN_ORDER } from '../../db/household/loaders';

export { newestFirst } from '../../domain/household/aid-summary';
export { ageOn } from '../../domain/dates';

/** Household.aidSummary without arguments: the 12 months up to today. */
export function defaultSummaryWindow(today: IsoDate): { from: IsoDate; to: IsoDate } {
  return { from: addDays(`${Number(today.slice(0, 4)) - 1}${today.slice(4)}`, 1), to: today };
}

/**
 * `FIELD(column, 'HEAD', 'SPOUSE', …)`: the relation's rank for a hand-written ORDER BY (then birth
 * date, then ID number), from the list the hub sorts members by.
 */
export function relationField(column: string): string {
  return `FIELD(${column}, ${RELATIONS_IN_ORDER.map((r) => `'${r}'`).join(', ')})`;
}
