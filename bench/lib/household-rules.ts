/**
 * The few presentation rules of resolvers/household/resolvers.ts that the floor and the naive variant must
 * repeat to give the same answer as the hub: aid order, age, the default summary window and the
 * member order. They are private to the resolvers, so they are restated here; the pre-run
 * comparison in bench/household.ts catches any drift.
 */
import { addDays, type IsoDate } from '../../domain/dates';
import type { AidRecord } from '../../federation/contract';

/** Newest first: by grant date or period start, then by source reference for a stable order. */
export function newestFirst(a: AidRecord, b: AidRecord): number {
  const da = a.grantDate ?? a.periodStart ?? '';
  const db = b.grantDate ?? b.periodStart ?? '';
  return da === db ? a.sourceRef.localeCompare(b.sourceRef) : da < db ? 1 : -1;
}

export function ageOn(birthDate: IsoDate, on: IsoDate): number {
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** Household.aidSummary without arguments: the 12 months up to today. */
export function defaultSummaryWindow(today: IsoDate): { from: IsoDate; to: IsoDate } {
  return { from: addDays(`${Number(today.slice(0, 4)) - 1}${today.slice(4)}`, 1), to: today };
}

/** Members head first in this order of relation, then by birth date, as db/household/loaders.ts orders them. */
export const RELATION_ORDER = ['HEAD', 'SPOUSE', 'PARENT', 'GRANDPARENT', 'CHILD', 'GRANDCHILD', 'SIBLING', 'OTHER'] as const;
