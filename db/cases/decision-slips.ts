/**
 * A decision's slip issued after its meeting (a declined decision reassigned, a decision corrected):
 * the slip to its department, due in its working days from the day the hub issues it (China time),
 * and the pre-grant check it ran, kept as a meeting's decision's is.
 */
import { eq } from 'drizzle-orm';
import { sealLater } from './seals';
import { chinaDateOf } from '../../domain/cases/china-time';
import type { DecisionCheck } from '../../domain/cases/decision-checks';
import { defaultAsk, type DecisionInput } from '../../domain/cases/meetings';
import { addWorkingDays } from '../../domain/cases/working-days';
import { decisionCheck } from '../case-loop/schema';
import { toDbInstant } from '../instants';
import type { CaseRecord, HubTx } from './records';
import { referralSlip } from './schema';

/** Inserts the slip (and its check, when one was made) and returns its id. */
export async function issueDecisionSlip(tx: HubTx, c: CaseRecord, meetingId: number | null, d: DecisionInput, check: DecisionCheck | null, now: Date): Promise<number> {
  const [res] = await tx.insert(referralSlip).values({
    caseId: c.id,
    kind: 'DECISION',
    meetingId,
    fromOffice: c.ownerOffice,
    toOffice: d.department,
    ask: d.ask?.trim() || defaultAsk(d),
    programmeCode: d.programmeCode,
    amountFen: d.amountFen,
    beneficiaryIdNumber: d.beneficiaryIdNumber,
    cause: d.cause,
    settlementRef: d.settlementRef,
    schoolYear: d.schoolYear,
    deadlineWorkingDays: d.deadlineWorkingDays,
    issuedAt: toDbInstant(now),
    dueOn: addWorkingDays(chinaDateOf(now), d.deadlineWorkingDays).date,
    state: 'ISSUED',
  });
  sealLater(tx, referralSlip, eq(referralSlip.id, res.insertId));
  if (check && meetingId !== null) {
    await tx.insert(decisionCheck).values({
      referralId: res.insertId,
      meetingId,
      findingsJson: JSON.stringify(check.findings),
      unavailableJson: JSON.stringify(check.unavailable),
      overrideReason: check.overrideReason,
    });
    sealLater(tx, decisionCheck, eq(decisionCheck.referralId, res.insertId));
  }
  return res.insertId;
}
