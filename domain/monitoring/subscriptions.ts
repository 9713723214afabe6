/**
 * Which subscriptions an alert goes to: pure matching over plain data, so the outbox writer and
 * its tests share one definition.
 */
import { divisionPrefix } from '../division-code';
import type { AlertEnvelope, AlertGrade } from './envelope';

export interface SubscriptionFilter {
  /** Division codes; an alert matches when its region code starts with one of them. */
  regionCodes: readonly string[];
  /** Empty: every grade. */
  grades: readonly AlertGrade[];
  /** Empty: every trigger. */
  triggerIds: readonly string[];
}

/**
 * A division covers the codes under it (370811 covers 370811001…; the city 370800 covers 370811…,
 * whose codes start with 3708, not with 370800); '' or '37' cover more.
 */
export function regionCovers(scope: string, regionCode: string): boolean {
  return regionCode.startsWith(divisionPrefix(scope));
}

export function subscriptionMatches(sub: SubscriptionFilter, alert: Pick<AlertEnvelope, 'regionCode' | 'grade' | 'triggerId' | 'formerRegionCode'>): boolean {
  const former = alert.formerRegionCode;
  if (!sub.regionCodes.some((scope) => regionCovers(scope, alert.regionCode) || (former !== undefined && regionCovers(scope, former)))) return false;
  if (sub.grades.length > 0 && !sub.grades.includes(alert.grade)) return false;
  if (sub.triggerIds.length > 0 && !sub.triggerIds.includes(alert.triggerId)) return false;
  return true;
}

/** Lists are stored as comma-separated text (short, never searched by SQL). */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
