import type { ClaimRecord, NeedRecord, OrganisationRecord } from '../../db/charity/store';

/** The sealed detail of a need as a claiming charity reads it: the need, its claim and who asks. */
export interface NeedDetailModel {
  need: NeedRecord;
  claim: ClaimRecord;
  organisation: OrganisationRecord;
}
