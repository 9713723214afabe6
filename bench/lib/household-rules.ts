/**
 * The presentation rules of resolvers/household/resolvers.ts that the floor and the naive variant must
 * follow to give the same answer as the hub: aid order and age (the domain's own functions), the
 * default summary window and the member order (restated here; the pre-run comparison in
 * bench/household.ts catches any drift).
 */
import { addDays, type IsoDate } from '../../domain/dates';

export { newestFirst } from '../../domain/household/aid-summary';
export { ageOn } from '../../domain/dates';

/** Household.aidSummary without arguments: the 12 months up to today. */
export function defaultSummaryWindow(today: IsoDate): { from: IsoDate; to: IsoDate } {
  return { from: addDays(`${Number(today.slice(0, 4)) - 1}${today.slice(4)}`, 1), to: today };
}

/** Members head first in this order of relation, then by birth date, as db/household/loaders.ts orders them. */
export const RELATION_ORDER = ['HEAD', 'SPOUSE', 'PARENT', 'GRANDPARENT', 'CHILD', 'GRANDCHILD', 'SIBLING', 'OTHER'] as const;
