/**
 * A scan's findings narrowed by rule (Scan.findings' `filter.rules`, the CSV export's `rule=`): an id
 * of no rule answered no findings, read as a scan that found none by that rule, where it was a typo
 * (`X14`, `M6`: the default set holds X1–X13 and M1–M5). Such an id is refused, BAD_USER_INPUT, reason RULE_NOT_FOUND, naming it,
 * as an alert filter's unknown trigger is. A rule the locality's file removed since the scan still
 * narrows the findings it stored under it.
 */
import { ruleIdsOfScan } from '../../db/findings/store';
import type { HubDb } from '../../db/connect';
import { activeRuleSet } from '../../rules/load';

/**
 * The refusal's message for the ids among `ruleIds` that are no rule in force and no finding of the
 * scan carries; null when there is none. Costs a statement only when an id is outside the rule set.
 */
export async function unknownRuleIdsMessage(db: HubDb, scanId: number, ruleIds: readonly string[]): Promise<string | null> {
  const inForce = activeRuleSet().rules.map((r) => r.id);
  const outside = [...new Set(ruleIds.filter((id) => !inForce.includes(id)))];
  if (outside.length === 0) return null;
  const stored = await ruleIdsOfScan(db, scanId, outside);
  const unknown = outside.filter((id) => !stored.has(id));
  if (unknown.length === 0) return null;
  return `no rule has the id ${unknown.map((id) => JSON.stringify(id)).join(', ')}: the rule set in force holds ${inForce.join(', ')} (the rules query lists them)`;
}
