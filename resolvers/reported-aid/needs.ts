/**
 * A reported record's `needId` links it to a published charity need (charityNeedPublish): the link
 * is shown with the aid (`AidRecord.needId`) and read as the aid that answers the need, so it must
 * name a need, and one of the beneficiary's household. It was free text: an unknown id, or another
 * household's need, was stored and shown as if the aid answered it.
 */
import { inScope } from '../../access/decide';
import { claimsOf, consentById, needsByIds } from '../../db/charity/store';
import { charityProgrammeFor, revokedConsentProblem } from '../../domain/charity/needs';
import type { ReportError, ValidReportedAid } from '../../domain/reported-aid/validate';
import type { HubContext } from '../context';

/**
 * One error per record whose need is unknown (or of a household outside the caller's region: the
 * same answer, which confirms nothing about another county's needs) or of a household the
 * beneficiary has never been in. A member who has moved out still counts: a report may be dated up
 * to a year back. The need may be covered or withdrawn since: aid given for it still answers it.
 *
 * A charity (`creditCode`, its organisation) links only a need its organisation has claimed, the
 * claim running or not (charityNeedClaim, by any of its clients: the claim is what opened the need's
 * household to it); any other need is NEED_UNKNOWN, as one outside its region. A charity reads the
 * needs it has not claimed as anonymous summaries only: told NEED_NOT_OF_BENEFICIARY, or nothing, for
 * an ID number of its choosing (in a dry run, writing nothing), it learnt whether that person's
 * household is the one with that medical or living need, which the summary is published not to say.
 *
 * A record linked so is also held to what a delivery to the need is (charityDeliveryReport): dated
 * after the household revoked its consent, CONSENT_REVOKED (the one rule, revokedConsentProblem);
 * a charity's, of the programme a delivery would be recorded under (charityProgrammeFor),
 * NEED_PURPOSE_MISMATCH otherwise. A reversal is taken.
 */
export async function needProblems(ctx: HubContext, records: readonly ValidReportedAid[], creditCode: string | null): Promise<ReportError[]> {
  const ids = [...new Set(records.flatMap((r) => (r.needId ? [Number(r.needId)] : [])))];
  if (ids.length === 0) return [];
  const needs = new Map((await needsByIds(ctx.hub, ids)).map((n) => [n.id, n]));
  const claimed = creditCode === null ? null : new Set((await claimsOf(ctx.hub, ids, creditCode)).map((c) => c.needId));
  const scope = ctx.access.caller?.regionScope ?? null;
  const problems = await Promise.all(
    records.map(async (r, index): Promise<ReportError | null> => {
      if (!r.needId) return null;
      const need = needs.get(Number(r.needId));
      const household = need ? await ctx.loaders.hub.householdById.load(need.householdId) : null;
      if (!need || !household || scope === null || !inScope(scope, household.regionCode) || (claimed !== null && !claimed.has(need.id))) {
        return { index, code: 'NEED_UNKNOWN', field: 'needId', message: 'no published charity need has this id' };
      }
      const { spells } = await ctx.loaders.hub.householdsOfPerson.load(r.beneficiaryIdNumber);
      if (!spells.some((s) => s.idNumber === r.beneficiaryIdNumber && s.householdId === need.householdId)) {
        return { index, code: 'NEED_NOT_OF_BENEFICIARY', field: 'needId', message: 'the need is of a household the beneficiary has never been a member of' };
      }
      // A reversal takes back what was recorded: it is always taken, as a delivery's cancellation is.
      if (r.entryKind === 'REVERSAL') return null;
      // A charity's record is of the programme a delivery to the need is recorded under: CHARITY_MEDICAL
      // linked to an EDUCATION need was taken, counted by M3 and X7 as the other kind of aid.
      if (creditCode !== null && r.programme !== charityProgrammeFor(need.purpose)) {
        return { index, code: 'NEED_PURPOSE_MISMATCH', field: 'programme', message: `the need is for ${need.purpose}: aid answering it is ${charityProgrammeFor(need.purpose)}` };
      }
      // As a delivery (charityDeliveryReport): aid dated after the household revoked its consent is not
      // recorded against its need; it was, through aidReport's needId.
      const day = r.grantDate ?? r.periodStart;
      const revoked = day === null ? null : revokedConsentProblem(await consentById(ctx.hub, need.consentId), day);
      if (revoked) return { index, code: 'CONSENT_REVOKED', field: r.grantDate ? 'grantDate' : 'periodStart', message: revoked };
      return null;
    }),
  );
  return problems.filter((p): p is ReportError => p !== null);
}
