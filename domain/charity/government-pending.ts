/**
 * Charity after public aid (慈善衔接 follows government aid, it does not run ahead of it): which of a
 * household's decisions decided and not yet given (a 一事一议 meeting's slips still ISSUED or
 * ACCEPTED) answer the same kind of need as a need passed to charities. Pure: the resolver reads
 * the slips (db/cases/store.ts ungivenDecisionsOfHousehold, as the meeting's own check does).
 *
 * Basis: 民发〔2023〕46号 lets civil affairs pass a need to charities for people who do not qualify
 * for government aid or are still in difficulty after it; a need published while the government's
 * own decision for it is still to be paid invites a charity to pay what the office is about to pay
 * (X7 and the duplicate rules see it only once both are paid).
 */
import type { AidCause } from '../aid';
import { PROGRAMME_BY_CODE } from '../programmes';
import type { NeedPurpose } from './needs';

/**
 * The need purposes a government programme's aid answers, with the cause decided (temporary aid
 * is one programme for many causes: 临时救助 for an illness answers a medical need, for a disaster a
 * disaster need, otherwise the household's living). Charities' own programmes answer none: they are
 * not government aid (and decide no slips). Services (法律援助) answer none: no money is paid.
 */
export function needPurposesAnswered(programmeCode: string, cause: AidCause | null): readonly NeedPurpose[] {
  const p = PROGRAMME_BY_CODE.get(programmeCode);
  if (!p || p.department === 'CHARITY') return [];
  switch (p.purpose) {
    // Medical aid pays hospital and rehabilitation costs after insurance alike.
    case 'MEDICAL':
      return ['MEDICAL', 'REHABILITATION'];
    // 康复救助 answers rehabilitation; the two disability subsidies pay towards living and care.
    case 'DISABILITY':
      return p.code === 'REHAB_AID' ? ['REHABILITATION'] : ['LIVING'];
    case 'EDUCATION':
      return ['EDUCATION'];
    case 'HOUSING':
      return ['HOUSING'];
    case 'BASIC_LIVING':
      return ['LIVING'];
    // A benefit paid monthly (失业保险金, 公益性岗位补贴) keeps the household living; one-off
    // employment subsidies (training, job seeking) answer no need charities are asked for.
    case 'EMPLOYMENT':
      return p.kind === 'RECURRING' ? ['LIVING'] : [];
    case 'TEMPORARY':
      if (p.department === 'EMERGENCY_MANAGEMENT') return ['DISASTER', 'LIVING'];
      if (cause === 'ILLNESS') return ['MEDICAL', 'REHABILITATION'];
      if (cause === 'DISASTER') return ['DISASTER', 'LIVING'];
      if (cause === 'EDUCATION') return ['EDUCATION'];
      return ['LIVING', 'OTHER'];
    case 'SERVICE':
      return [];
  }
}

/** Needs of these purposes are one person's (an illness, a schooling): another member's decision answers another need. */
const PERSONAL_PURPOSES: readonly NeedPurpose[] = ['MEDICAL', 'REHABILITATION', 'EDUCATION'];

/** A decision decided and not yet given, as the slip records it. */
export interface PendingDecision {
  programmeCode: string | null;
  cause: AidCause | null;
  /** The member it is for; null when the meeting named none (the household's). */
  beneficiaryIdNumber: string | null;
}

/**
 * The decisions among `pending` a need answers the same way (its purpose), for the same person
 * where the purpose is a person's: a need for the whole household, or a decision naming no member,
 * meets any. In the order given.
 */
export function pendingForNeed<D extends PendingDecision>(need: { purpose: NeedPurpose; beneficiaryIdNumber: string | null }, pending: readonly D[]): D[] {
  return pending.filter((d) => {
    if (d.programmeCode === null || !needPurposesAnswered(d.programmeCode, d.cause).includes(need.purpose)) return false;
    if (!PERSONAL_PURPOSES.includes(need.purpose)) return true;
    return need.beneficiaryIdNumber === null || d.beneficiaryIdNumber === null || d.beneficiaryIdNumber === need.beneficiaryIdNumber;
  });
}

/** The longest reason an officer may give for publishing a need while government aid for it is pending (as a meeting's override reason). */
export const GOVERNMENT_AID_PENDING_REASON_MAX = 500;
