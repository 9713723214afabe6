/**
 * Decision slips still waiting whose aid its office has paid at the source but not yet completed the
 * slip with (domain/cases/decision-checks.ts paidSlips): read for a meeting's, a correction's or a
 * reassignment's checks (decision-checks.ts), which count such a slip once, as paid, and for the
 * meeting brief, which prints it as looking paid, to be completed.
 */
import { aidRecordsInUse } from '../../db/cases/store';
import type { ReferralRecord } from '../../db/cases/records';
import type { HubDb } from '../../db/connect';
import type { AidRecord } from '../../domain/aid';
import { paidSlipsAmong, recordsFittingSlips } from '../../domain/cases/decision-checks';
import { parseOffice } from '../../domain/cases/offices';
import type { IsoDate } from '../../domain/dates';
import { sourceOf, type OfficeCode } from '../../domain/departments';
import { aidForPeople } from '../../federation/loaders';
import type { Loaders } from '../context';

/**
 * The waiting slips whose aid is on record at the source already (paidSlips), with the record each
 * is read as paid by. The records are the members' (and a slip's named beneficiary's) aid from each
 * slip's office, through the request's department loaders: a meeting (or a brief printing the dossier
 * as it stands) has read them all for its dossier already, so it asks no department again; and one
 * hub statement says which of the records that fit fulfil a decision already (none when none fits,
 * none when no slip waits).
 */
export async function paidAtSource(loaders: Pick<Loaders, 'departments'>, hub: HubDb, open: readonly (ReferralRecord & { decidedOn: IsoDate })[], members: readonly string[]): Promise<Map<number, AidRecord>> {
  const slips = open.flatMap((s) => {
    const office = parseOffice(s.toOffice);
    if (office?.kind !== 'DEPARTMENT' || s.programmeCode === null) return [];
    const decided = { department: office.department, programmeCode: s.programmeCode, amountFen: s.amountFen ?? 0, beneficiaryIdNumber: s.beneficiaryIdNumber, decidedOn: s.decidedOn, cause: s.cause, settlementRef: s.settlementRef, schoolYear: s.schoolYear };
    return [{ id: s.id, decided }];
  });
  if (slips.length === 0) return new Map();
  const people = [...new Set([...members, ...slips.flatMap((s) => s.decided.beneficiaryIdNumber ?? [])])];
  const sources = [...new Set(slips.map((s) => sourceOf(s.decided.department as OfficeCode)))];
  const { records } = await aidForPeople(loaders.departments, people, sources);
  // Only records that could be a slip's are asked about: their uses are one statement.
  const fitting = recordsFittingSlips(slips, records, members);
  const fitAny = new Set(fitting.flat());
  if (fitAny.size === 0) return new Map();
  const inUse = await aidRecordsInUse(hub, records.filter((r) => fitAny.has(r)).map((r) => ({ office: r.department, aidSourceRef: r.sourceRef })));
  const held = new Set(inUse.map((u) => `${u.office}\u0000${u.aidSourceRef}`));
  return paidSlipsAmong(slips, fitting, (r) => held.has(`${r.department}\u0000${r.sourceRef}`));
}
