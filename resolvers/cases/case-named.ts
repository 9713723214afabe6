/**
 * Naming another case to a caller: a refusal or a check's finding names a case by its reference only
 * when the caller may read that case, so that a case out of reach is not confirmed to exist.
 */
import { checkCall, regionInScope } from '../../access/decide';
import { caseRegions, ROOT_RULES } from '../../access/policy';
import { caseReference } from '../../domain/cases/reference';
import type { HubContext } from '../context';

/**
 * A case's reference, for a refusal that names it, when the caller may read that case (`case(id)`
 * with its purpose, the case in its scope as the Case rule has it: its county's, its household's
 * now, or a later case's of its chain of hand-overs, access/policy.ts caseRegions); otherwise null,
 * and the refusal does not say which case. No audit row: nothing of the case is shown when it is
 * out of reach.
 */
export function caseNamedTo(ctx: HubContext) {
  return async (caseId: number): Promise<string | null> => {
    const caller = ctx.access?.caller;
    if (caller && checkCall(ROOT_RULES.Query.case, 'case', caller, ctx.access.purpose) !== null) return null;
    const c = await ctx.loaders.cases.caseById.load(caseId);
    if (!c) return null;
    if (caller && !regionInScope(caller.regionScope, await caseRegions(c, ctx))) return null;
    return caseReference(c.id, c.reportedAt);
  };
}
