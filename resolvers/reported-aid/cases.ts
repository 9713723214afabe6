/**
 * A reported record's `caseReference` in the hub's own case form (AH-2026-000014) names a hub case,
 * and is shown beside the household's aid to every office that reads it (AidRecord.caseReference),
 * so it must name one, and one of the beneficiary's household, as `needId` must name a need of it
 * (./needs.ts). It was free text: a hub case number on aid to an unrelated person in another county
 * was stored and shown as if the aid answered that case. A reference in any other form (the office's
 * own numbering) stays free text.
 */
import { inScope } from '../../access/decide';
import { claimsOf, needsByHouseholds } from '../../db/charity/store';
import { caseIdOfReference, caseReference } from '../../domain/cases/reference';
import type { ReportError, ValidReportedAid } from '../../domain/reported-aid/validate';
import type { HubContext } from '../context';

/**
 * One error per record whose hub case reference names no case (no case of that id, or of another
 * year), one outside the caller's region, or, for a charity (`creditCode`), one of whose needs its
 * organisation has claimed none: CASE_UNKNOWN, the same answer, which confirms nothing about a case
 * the caller may not read (a charity reads no case, and told CASE_NOT_OF_BENEFICIARY for one ID
 * number and nothing for another it would learn whose household the case is). A case of a household
 * the beneficiary has never been a member of is CASE_NOT_OF_BENEFICIARY; a member who moved out
 * still counts, as for a need.
 */
export async function caseReferenceProblems(ctx: HubContext, records: readonly ValidReportedAid[], creditCode: string | null): Promise<ReportError[]> {
  const scope = ctx.access.caller?.regionScope ?? null;
  const problems = await Promise.all(
    records.map(async (r, index): Promise<ReportError | null> => {
      const id = r.caseReference ? caseIdOfReference(r.caseReference) : null;
      if (id === null) return null;
      const c = await ctx.loaders.cases.caseById.load(id);
      const unknown = { index, code: 'CASE_UNKNOWN' as const, field: 'caseReference', message: 'no case of the hub has this reference (AH-<year>-<number>, as the hub gives it); an office’s own case number in another form is taken as written' };
      if (!c || caseReference(c.id, c.reportedAt) !== r.caseReference!.toUpperCase() || scope === null || !inScope(scope, c.townshipCode)) return unknown;
      if (creditCode !== null) {
        const needIds = (await needsByHouseholds(ctx.hub, [c.householdId], ctx.today)).filter((n) => n.caseId === c.id).map((n) => n.id);
        if ((await claimsOf(ctx.hub, needIds, creditCode)).length === 0) return unknown;
      }
      const { spells } = await ctx.loaders.hub.householdsOfPerson.load(r.beneficiaryIdNumber);
      if (spells.some((s) => s.idNumber === r.beneficiaryIdNumber && s.householdId === c.householdId)) return null;
      return { index, code: 'CASE_NOT_OF_BENEFICIARY', field: 'caseReference', message: 'the case is of a household the beneficiary has never been a member of' };
    }),
  );
  return problems.filter((p): p is ReportError => p !== null);
}
