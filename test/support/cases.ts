/**
 * A case ready for its meeting, opened and moved the way an office does it, through the API: the
 * meeting tests start from one.
 */
import type { TestHub } from './hub';
import { okPayload } from './payloads';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`;

/** Opens an application case of the household, reported at `reportedAt`, and moves it to IN_DELIBERATION; its id. */
export async function caseInDeliberation(gql: TestHub['gql'], householdId: number, summary: string, reportedAt: string): Promise<string> {
  const caseId = (await okPayload(gql, OPEN, { input: { householdId: String(householdId), origin: 'APPLICATION', urgency: 'NORMAL', summary, reportedAt } }, 'caseOpen')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await okPayload(gql, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
  return caseId;
}
