/**
 * The pre-grant check of a meeting's decisions, in one place: each decision's aid is proposed to
 * the same check departments run before granting (resolvers/findings/live.ts preGrantCheck), for
 * its beneficiary or, when it names none, the head of household, dated the meeting's day.
 */
import { ungivenDecisionFindings, type DecisionCheck, type DecisionFinding, type UngivenDecision } from '../../domain/cases/decision-checks';
import { ungivenDecisionsOfHousehold } from '../../db/cases/store';
import { caseReference } from '../../domain/cases/reference';
import { inScope } from '../../access/decide';
import type { Dossier } from '../../domain/cases/dossier';
import { decisionSubject, type DecisionInput } from '../../domain/cases/meetings';
import type { IsoDate } from '../../domain/dates';
import { explain } from '../../domain/findings/explain';
import type { Proposal } from '../../domain/findings/evaluate';
import { PROGRAMME_BY_CODE } from '../../domain/programmes';
import { activeRuleSet } from '../../rules/load';
import type { HubContext } from '../context';
import { preGrantCheck } from '../findings/live';

export async function checkDecisions(
  ctx: HubContext,
  decisions: readonly (DecisionInput & { overrideReason: string | null })[],
  heldOn: IsoDate,
  dossier: { members: readonly Pick<Dossier['members'][number], 'idNumber' | 'relation'>[] },
): Promise<DecisionCheck[]> {
  const rules = activeRuleSet().rules;
  const head = decisionSubject(dossier.members);
  return Promise.all(
    decisions.map(async (d): Promise<DecisionCheck> => {
      const programme = PROGRAMME_BY_CODE.get(d.programmeCode);
      const beneficiary = d.beneficiaryIdNumber ?? head?.idNumber ?? null;
      if (!programme || beneficiary === null) return { findings: [], unavailable: [], overrideReason: d.overrideReason };
      const recurring = programme.kind === 'RECURRING';
      const proposal: Proposal = {
        programme: programme.code as Proposal['programme'],
        beneficiaryIdNumber: beneficiary,
        periodStart: recurring ? heldOn : null,
        periodEnd: null,
        grantDate: recurring ? null : heldOn,
        amountFen: d.amountFen,
        cause: d.cause,
        secondAid: d.secondAid !== null,
      };
      const result = await preGrantCheck(ctx, proposal, rules);
      const findings: DecisionFinding[] = result.findings.map((f) => {
        const rule = rules.find((r) => r.id === f.ruleId);
        // Health detail stays out: the check is shown to every department at the meeting.
        return { ruleId: f.ruleId, severity: f.severity, summary: rule ? explain(rule, f.measure, f.records, { health: false }) : f.ruleId, departments: f.departments };
      });
      return { findings, unavailable: result.unavailable, overrideReason: d.overrideReason };
    }),
  );
}

/**
 * The decisions' checks against the decisions not yet given (救前查询 of what is decided as well
 * as of what is paid): the meeting's earlier decisions (`sameMeeting`), and the slips of decisions
 * of the household's open cases still waiting for their department, this case's included. A
 * finding is added to the decision's check, so a conflict is DECISION_CONFLICT unless overridden,
 * and kept and shown like the pre-grant check's. A slip of another case is named by its case's
 * reference only to a caller who reaches that case.
 */
export async function withUngivenDecisions(
  ctx: HubContext,
  checks: readonly DecisionCheck[],
  decisions: readonly DecisionInput[],
  facts: { caseId: number; householdId: number; members: readonly { idNumber: string; relation: string }[]; sameMeeting: boolean },
): Promise<DecisionCheck[]> {
  const head = decisionSubject(facts.members)?.idNumber ?? null;
  const caller = ctx.access?.caller;
  const pending: UngivenDecision[] = (await ungivenDecisionsOfHousehold(ctx.hub, facts.householdId)).flatMap((s) =>
    s.programmeCode === null
      ? []
      : [
          {
            programmeCode: s.programmeCode,
            subject: s.beneficiaryIdNumber ?? head,
            label:
              s.caseId === facts.caseId
                ? `本案转办单 ${s.id}`
                : !caller || inScope(caller.regionScope, s.townshipCode)
                  ? `案件 ${caseReference(s.caseId, s.caseReportedAt)} 的转办单 ${s.id}`
                  : '本户另一案件的转办单',
          },
        ],
  );
  if (pending.length === 0 && (!facts.sameMeeting || decisions.length < 2)) return [...checks];
  return checks.map((check, i) => {
    const d = decisions[i];
    const earlier: UngivenDecision[] = facts.sameMeeting
      ? decisions.slice(0, i).map((e, j) => ({ programmeCode: e.programmeCode, subject: e.beneficiaryIdNumber ?? head, label: `本次会议第 ${j + 1} 项决定` }))
      : [];
    const found = ungivenDecisionFindings({ programmeCode: d.programmeCode, subject: d.beneficiaryIdNumber ?? head }, [...earlier, ...pending], activeRuleSet().rules);
    return found.length === 0 ? check : { ...check, findings: [...check.findings, ...found] };
  });
}
