/**
 * Every decision of a joint meeting runs the pre-grant check (救前查询: check before aiding) for
 * the aid it decides, so that a meeting cannot decide 特困 support for a 低保 recipient (rule X1)
 * without a word. A conflict blocks the decision unless the convener overrides it with a reason;
 * warnings are shown, not blocking. Pure: the resolver runs the check, the data layer keeps it.
 */
import type { DepartmentCode, OfficeCode } from '../departments';
import { caseError, type CaseUserError } from './errors';
import { longerThan } from '../text-length';

export interface DecisionFinding {
  ruleId: string;
  /** CONFLICT, WARNING or MISSED_AID. */
  severity: string;
  /** In words without health detail; names no person. */
  summary: string;
  departments: OfficeCode[];
}

export interface DecisionCheck {
  findings: DecisionFinding[];
  /** Departments that did not answer: the check could not see their aid. */
  unavailable: DepartmentCode[];
  /** The convener's reason for deciding despite a conflict. */
  overrideReason: string | null;
}

export const OVERRIDE_REASON_MAX = 500;

/** Refusals for decisions whose check found a conflict and carries no override reason. */
export function checkDecisionConflicts(checks: readonly DecisionCheck[], fieldOf: (i: number) => string[] = (i) => ['input', 'decisions', String(i), 'conflictOverrideReason']): CaseUserError[] {
  const errors: CaseUserError[] = [];
  checks.forEach((c, i) => {
    const field = fieldOf(i);
    if (c.overrideReason !== null && longerThan(c.overrideReason, OVERRIDE_REASON_MAX)) {
      errors.push(caseError('TEXT_TOO_LONG', `conflictOverrideReason is longer than ${OVERRIDE_REASON_MAX} characters`, field));
    }
    const conflicts = c.findings.filter((f) => f.severity === 'CONFLICT');
    if (conflicts.length > 0 && c.overrideReason === null) {
      errors.push(caseError('DECISION_CONFLICT', `the pre-grant check finds ${conflicts.map((f) => f.ruleId).join(', ')}: decide otherwise or state why (conflictOverrideReason)`, field));
    }
  });
  return errors;
}
