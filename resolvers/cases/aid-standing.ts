/**
 * Whether the aid record a decision's slip was completed with, or a first aid named, still stands at
 * its source, read when asked: the department's records of the people it may be for, and where the
 * source supersedes records instead of changing them (the reported-aid ledger), what stands in the
 * record's place, or the record itself where its reads leave it out once reversed (医保's
 * settlements). One statement per source for every record asked about in a request (the request's
 * loaders batch them), plus one for the successors when a ledger entry or a settlement's aid is gone.
 * The slip, the first aid, supervision (overdueReport) and the meeting brief all read it here; the
 * checks of a record named to complete a slip or record a first aid find it here too (namedAidRecord),
 * so a record reversed before it was named is refused as cancelled, not as unknown.
 */
import type { FulfilmentRecord } from '../../db/case-loop/store';
import type { FirstAidRecord } from '../../db/cases/first-aid';
import { firstAidAmountComparable, recordStanding, type CheckedRecord, type RecordStanding } from '../../domain/cases/fulfilment';
import { storedOffice } from '../../domain/cases/offices';
import { PROGRAMME_BY_CODE } from '../../domain/programmes';
import { normaliseReference, referenceKey } from '../../domain/reported-aid/validate';
import { sourceOf, type OfficeCode } from '../../domain/departments';
import { aidForPeople } from '../../federation/loaders';
import type { AidRecord } from '../../federation/contract';
import type { Loaders } from '../context';

/**
 * What the department holds now under a named record's reference, among these people's records: the
 * record itself (also where its reads leave it out once reversed in place, 医保's settlements, as
 * CANCELLED), or else what stands in its place (the ledger's last entry of its chain, a CORRECTION
 * or the REVERSAL that cancelled it) and the entry named as the ledger recorded it, SUPERSEDED, or
 * CANCELLED where the chain ends in a REVERSAL (`superseded`, read in the same statement). Null when the department (or its ledger) did not
 * answer. The successors are asked only for a record not among the people's: none more for one that stands.
 */
export async function namedAidRecord(
  loaders: Pick<Loaders, 'departments' | 'noLongerStanding'>,
  office: OfficeCode,
  sourceRef: string,
  people: readonly string[],
): Promise<{ record: AidRecord | null; successor: AidRecord | null; superseded?: AidRecord | null; byOwnReference?: AidRecord | null } | null> {
  const source = sourceOf(office);
  const { records, outcomes } = await aidForPeople(loaders.departments, people, [source]);
  if (!outcomes.every((o) => o.available)) return null;
  const record = records.find((r) => r.sourceRef === sourceRef && r.department === office) ?? null;
  if (record) return { record, successor: null };
  // A reporting office naming its entry by its own numbering (reportedBy.reference) is told the
  // entry's sourceReference: read already, no statement more. The text is read as aidReport and
  // reportedAidHistory read a reference (normaliseReference: trimmed; one they would refuse names no
  // entry) and compared as the ledger keys it (referenceKey), not by a case folding of its own:
  // lower-cased, a Kelvin sign (U+212A) read as k and named an entry no reference of the office is.
  const own = normaliseReference(sourceRef);
  const byOwnReference = own === null ? null : (records.find((r) => r.department === office && r.reportedBy && referenceKey(r.reportedBy.reference) === referenceKey(own)) ?? null);
  const noLongerStanding = loaders.noLongerStanding.get(source);
  const gone = noLongerStanding ? await noLongerStanding.load(sourceRef) : null;
  if (gone && !gone.available) return null;
  // A reporter supersedes only its own entries: another office's entry, or successor, is not this record's.
  const inPlace = gone?.record?.department === office ? gone.record : null;
  // The ledger's entry named, superseded since (SUPERSEDED by a correction, CANCELLED by a reversal), carries what stands.
  if (inPlace?.supersededBy) {
    const standing = inPlace.supersededBy.department === office ? inPlace.supersededBy : null;
    return { record: null, successor: standing, superseded: inPlace, byOwnReference };
  }
  // Under its own reference it is the record itself, reversed where it stood (医保's settlements): no successor.
  const itself = inPlace?.sourceRef === sourceRef ? inPlace : null;
  return { record: itself, successor: itself ? null : inPlace, byOwnReference };
}

/** Null when the department (or its ledger) did not answer. */
async function aidStanding(loaders: Pick<Loaders, 'departments' | 'noLongerStanding'>, office: OfficeCode, sourceRef: string, people: readonly string[], checked: CheckedRecord): Promise<RecordStanding | null> {
  const named = await namedAidRecord(loaders, office, sourceRef, people);
  return named && recordStanding(named.record, named.successor, checked);
}

/** A completed decision's record: of the slip's receiving department (`toOffice`), for the beneficiary the fulfilment records. */
export async function fulfilmentStanding(
  loaders: Pick<Loaders, 'departments' | 'noLongerStanding'>,
  toOffice: string,
  f: Pick<FulfilmentRecord, 'aidSourceRef' | 'beneficiaryIdNumber' | 'programmeCode' | 'amountFen' | 'aidDate'>,
): Promise<RecordStanding | null> {
  const office = storedOffice(toOffice);
  if (office.kind !== 'DEPARTMENT') return null;
  return aidStanding(loaders, office.department, f.aidSourceRef, [f.beneficiaryIdNumber], { programmeCode: f.programmeCode, amountFen: f.amountFen, aidDate: f.aidDate });
}

/** A first aid's named record: of its programme's department, for its member or else the household's; null while none is named. */
export async function firstAidStanding(
  loaders: Pick<Loaders, 'departments' | 'noLongerStanding' | 'hub'>,
  f: Pick<FirstAidRecord, 'aidSourceRef' | 'programmeCode' | 'beneficiaryIdNumber' | 'amountFen'>,
  householdId: number,
): Promise<RecordStanding | null> {
  const programme = PROGRAMME_BY_CODE.get(f.programmeCode);
  if (f.aidSourceRef === null || !programme) return null;
  const people = f.beneficiaryIdNumber !== null ? [f.beneficiaryIdNumber] : (await loaders.hub.membersByHousehold.load(householdId)).map((m) => m.person.idNumber);
  // The first aid's amount is the record's own where a programme's record carries the total paid (checkFirstAidRecord).
  return aidStanding(loaders, programme.department, f.aidSourceRef, people, { programmeCode: f.programmeCode, amountFen: firstAidAmountComparable(programme) ? f.amountFen : null, aidDate: null });
}
