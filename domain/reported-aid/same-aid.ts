/**
 * One organisation's aid reached the hub by two paths: a charity's linkage client reports a
 * delivery against its pledge (charityDeliveryReport), and its reporting client sends the same
 * handover again in its aidReport file. Both land in the ledger and Household.aid, aidSummary and
 * the rules counted the money twice. The hub cannot tell a second handover of the same sum from
 * the same one sent twice, so a match is refused, naming the entry it matches, unless the sender
 * states it is separate aid (`separateAid`): nothing is counted twice, and nothing real is lost, as
 * the refusal says how to record it.
 */
import { addDays, type IsoDate } from '../dates';

/** Days either side of a delivery within which a report of the same sum is taken for the same handover (a file is often dated by payment, the delivery by handover). */
export const SAME_AID_WINDOW_DAYS = 7;

/** What two entries are compared by: whose, which programme, how much, which day. */
export interface AidFacts {
  beneficiaryIdNumber: string;
  programme: string;
  amountFen: number;
  /** The day of a one-off grant; recurring aid (a period) is not matched. */
  grantDate: IsoDate | null;
}

export function sameAid(a: AidFacts, b: AidFacts): boolean {
  if (a.grantDate === null || b.grantDate === null || a.amountFen === 0) return false;
  return (
    a.beneficiaryIdNumber === b.beneficiaryIdNumber &&
    a.programme === b.programme &&
    a.amountFen === b.amountFen &&
    addDays(a.grantDate, -SAME_AID_WINDOW_DAYS) <= b.grantDate &&
    b.grantDate <= addDays(a.grantDate, SAME_AID_WINDOW_DAYS)
  );
}

/** The first of `standing` that records the same aid as `record`, or null. */
export function sameAidIn<T extends AidFacts>(record: AidFacts, standing: readonly T[]): T | null {
  return standing.find((s) => sameAid(record, s)) ?? null;
}
