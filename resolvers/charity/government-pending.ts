/**
 * Government aid decided and not yet given for the same kind of need as a charity need (慈善衔接
 * after public aid, domain/charity/government-pending.ts): read from the household's decision slips
 * still ISSUED or ACCEPTED, the reader a meeting's own check uses (db/cases/store.ts
 * ungivenDecisionsOfHousehold, batched per request by the cases loader), so publication refuses
 * what the meeting would call pending and the case's needs show the same slips.
 */
import type { ReferralRecord } from '../../db/cases/records';
import { storedOfficeIn, type Office } from '../../domain/cases/offices';
import { pendingForNeed } from '../../domain/charity/government-pending';
import type { NeedPurpose } from '../../domain/charity/needs';
import { yuan } from '../../domain/findings/explain';
import { PROGRAMME_BY_CODE } from '../../domain/programmes';
import type { HubContext } from '../context';
import { caseNamedTo } from '../cases/case-named';
import { officeNameOf } from '../cases/office-name';

/** One decision pending for a need: the slip, the office to give it, and its case's reference where the caller may read that case. */
export interface PendingGovernmentAid {
  slip: ReferralRecord;
  office: Office;
  /** The office as `Office.name` names it (微山县医疗保障局), for the refusal's message. */
  officeName: string;
  /** Null for a slip of another case the caller may not read (case-named.ts). */
  caseReference: string | null;
  /** How a refusal names it: 本案转办单 7, 案件 AH-2026-000012 的转办单 9, 本户另一案件的转办单. */
  label: string;
  /** The case of the need it is pending for. */
  needCaseId: number;
}

/** The household's decisions not yet given that answer this need (its purpose, its member), oldest first. */
export async function governmentAidPendingFor(ctx: HubContext, need: { caseId: number; householdId: number; purpose: NeedPurpose; beneficiaryIdNumber: string | null }): Promise<PendingGovernmentAid[]> {
  const slips = pendingForNeed(need, await ctx.loaders.cases.ungivenDecisionsByHousehold.load(need.householdId));
  const named = caseNamedTo(ctx);
  return Promise.all(
    slips.map(async (slip) => {
      const caseReference = await named(slip.caseId);
      const label = slip.caseId === need.caseId ? `本案转办单 ${slip.id}` : caseReference !== null ? `案件 ${caseReference} 的转办单 ${slip.id}` : '本户另一案件的转办单';
      const office = storedOfficeIn(slip.toOffice, slip.townshipCode);
      return { slip, office, officeName: await officeNameOf(ctx, office), caseReference, label, needCaseId: need.caseId };
    }),
  );
}

/**
 * The decisions as a refusal's message names them: each slip, its programme, the office to give it,
 * what is still to be given and by when. Names no person (a member's decision is named by its slip).
 */
export function pendingInWords(pending: readonly PendingGovernmentAid[]): string {
  return pending
    .map(({ slip, officeName, label }) => {
      const programme = PROGRAMME_BY_CODE.get(slip.programmeCode ?? '');
      const amount = slip.amountFen === null ? '金额未定' : `${programme?.kind === 'RECURRING' ? '每月 ' : ''}${yuan(slip.amountFen)}`;
      return `${label}（${programme?.name ?? slip.programmeCode}，${officeName}，尚待发放 ${amount}，${slip.dueOn} 前）`;
    })
    .join('；');
}
