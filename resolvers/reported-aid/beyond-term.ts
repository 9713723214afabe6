/**
 * reportedAidBeyondTerm: the ledger's standing entries that aidReport would refuse today as
 * PERIOD_TOO_LONG (recorded before that rule), for their reporters to correct or reverse and for
 * civil affairs and supervision to see within their scope. The rule is one: entryBeyondTerm
 * (domain/reported-aid/beyond-term.ts) decides each candidate the ledger's coarse filter gives, as it
 * marks the same entry wherever it is shown (the REPORTED adapter's ledgerRecord).
 */
import { GraphQLError } from 'graphql';
import { beyondTermCandidates } from '../../db/reported-aid/store';
import { decodeIdCursor, encodeIdCursor } from '../../domain/cursor';
import { isReporterCode } from '../../domain/departments';
import { earliestRunningStart, RECURRING_APPROVAL_MAX_YEARS } from '../../domain/findings/periods';
import { entryBeyondTerm } from '../../domain/reported-aid/beyond-term';
import { inScope } from '../../access/decide';
import { requireDivisionCode } from '../../access/errors';
import { personRegion } from '../../access/policy';
import { pageOf, pageSize, positionAfter } from '../common';
import type { HubContext } from '../context';
import type { LedgerBeyondTermPage, LedgerEntryBeyondTerm } from '../models';

const CURSOR_TAG = 'RB';
/** Candidates read a statement at a time: the filter is coarse, and entries outside the scope are passed over. */
const CANDIDATES_PER_READ = 500;

/**
 * Whose entries the caller reviews: a reporting office its own client's (it alone corrects them, by
 * their references); civil affairs, which keeps the household's aid picture, and supervision (督查)
 * every reporter's. Any other office is refused: the ledger's entries are not its aid.
 */
function reviewedClient(ctx: HubContext): string | null {
  const caller = ctx.access.caller!;
  if (isReporterCode(caller.department)) return caller.name;
  if (caller.department === 'CIVIL_AFFAIRS' || caller.roles.includes('SUPERVISOR')) return null;
  throw new GraphQLError('reportedAidBeyondTerm is for the reporting office of the entries, civil affairs and supervision', { extensions: { code: 'FORBIDDEN', reason: 'NOT_LEDGER_REVIEWER' } });
}

export async function ledgerBeyondTerm(ctx: HubContext, args: { regionCode?: string | null; first?: number | null; after?: string | null }): Promise<LedgerBeyondTermPage> {
  const clientName = reviewedClient(ctx);
  const first = pageSize(args.first, 50, ctx.config.maxListSize);
  // The division asked for lies in the caller's scope (access/policy.ts, a REGION argument); without one, the scope.
  const scope = args.regionCode ? requireDivisionCode(args.regionCode, 'regionCode') : ctx.access.caller!.regionScope;
  let afterId = positionAfter(args.after, (c) => decodeIdCursor(CURSOR_TAG, c)) ?? 0;
  const today = ctx.today;
  const found: LedgerEntryBeyondTerm[] = [];
  for (;;) {
    const rows = await beyondTermCandidates(ctx.hub, { clientName, today, earliestStart: earliestRunningStart(today), years: RECURRING_APPROVAL_MAX_YEARS, afterId, limit: CANDIDATES_PER_READ });
    const judged = rows.flatMap((row) => {
      const beyond = entryBeyondTerm(row, today);
      return beyond ? [{ row, beyond }] : [];
    });
    // The beneficiary's household's division, as the access policy reads a person's (one batched read).
    const regions = await Promise.all(judged.map((j) => personRegion(j.row.beneficiaryIdNumber, ctx)));
    judged.forEach((j, i) => {
      if (inScope(scope, regions[i])) found.push({ ...j, regionCode: regions[i] });
    });
    if (found.length > first || rows.length < CANDIDATES_PER_READ) break;
    afterId = rows[rows.length - 1].id;
  }
  return pageOf({ rows: found.slice(0, first), hasNextPage: found.length > first }, (e) => encodeIdCursor(CURSOR_TAG, e.row.id), (e) => e);
}
