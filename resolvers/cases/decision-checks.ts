/**
 * The pre-grant check of a meeting's decisions, in one place: each decision's aid is proposed to
 * the same check departments run before granting (resolvers/findings/live.ts preGrantCheck), for
 * its beneficiary or, when it names none, the head of household, dated the meeting's day.
 */
import type { DecisionCheck, DecisionFinding } from '../../domain/cases/decision-checks';
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
