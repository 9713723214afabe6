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

/**
 * The regions a list reaches, without those another of them covers ([370811001, 370811001001] reaches
 * what [370811001] does): two subscriptions whose lists differ only so push the same alerts.
 */
export function regionsReached(regionCodes: readonly string[]): string[] {
  const distinct = [...new Set(regionCodes)];
  return distinct.filter((r) => !distinct.some((other) => other !== r && regionCovers(other, r)));
}

export function subscriptionMatches(sub: SubscriptionFilter, alert: Pick<AlertEnvelope, 'regionCode' | 'grade' | 'triggerId' | 'formerRegionCode'>): boolean {
  const former = alert.formerRegionCode;
  if (!sub.regionCodes.some((scope) => regionCovers(scope, alert.regionCode) || (former !== undefined && regionCovers(scope, former)))) return false;
  if (sub.grades.length > 0 && !sub.grades.includes(alert.grade)) return false;
  if (sub.triggerIds.length > 0 && !sub.triggerIds.includes(alert.triggerId)) return false;
  return true;
}

/**
 * What a matching subscription is sent of an alert event. A move is pushed as ALERT_MOVED to the
 * subscriptions of the division it went to; one that covers only the division it left is told
 * ALERT_MOVED_AWAY, naming that division and not the new one: the alert is no longer its office's to
 * sign for or verify, and where the person went is not its business (its push, if acknowledged, does
 * not make the alert DELIVERED either: db/monitoring/store.ts markAlertsDelivered).
 */
export function envelopeFor(sub: SubscriptionFilter, alert: AlertEnvelope): AlertEnvelope {
  if (alert.event !== 'ALERT_MOVED' || alert.formerRegionCode === undefined) return alert;
  if (sub.regionCodes.some((scope) => regionCovers(scope, alert.regionCode))) return alert;
  return { ...alert, event: 'ALERT_MOVED_AWAY', regionCode: alert.formerRegionCode };
}

/** Lists are stored as comma-separated text (short, never searched by SQL). */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
