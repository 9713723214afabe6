/**
 * What leaves the hub when an alert is pushed to a subscriber (DCI subscribe/notify): the alert's
 * envelope, and the JSON body built from it. The body is minimal on purpose: alert id, trigger,
 * grade, region, masked subject, deadlines (verification and decision). No ID number, name or health data travels in a push;
 * the receiving office reads the details through the API with its own token and purpose
 * (MONITORING), so every look-up is audited as any other read.
 */
import type { IsoDate } from '../dates';

export type AlertGrade = 'RED' | 'ORANGE' | 'YELLOW';
export type AlertDeliveryEvent = 'ALERT_OPENED' | 'ALERT_RAISED' | 'ALERT_MOVED' | 'ALERT_MOVED_AWAY';

export const ALERT_GRADES: readonly AlertGrade[] = ['RED', 'ORANGE', 'YELLOW'];

export interface AlertEnvelope {
  alertId: string;
  triggerId: string;
  grade: AlertGrade;
  /** The division code of the subject's household (a village's 12 digits, or a township's 9). */
  regionCode: string;
  /** e.g. '张*' or '370811********123X'-style masking done by the alert side; never a full name or ID. */
  maskedSubject: string;
  /** Verification deadline (working days from the first clue). */
  verifyBy: IsoDate;
  /** Decision deadline (the grade's limit from the first clue; a raise to a graver grade may bring it forward). */
  decideBy: IsoDate;
  /** The deadline falls in a year whose holiday calendar is not yet published. */
  provisional: boolean;
  event: AlertDeliveryEvent;
  /**
   * When the event happened, as the alert records it (its updated_at: the instant it was opened,
   * raised, moved or its dates corrected; for a subscription's deliverOpen backlog, its last change),
   * ISO 8601 in UTC with milliseconds. Not the time sent: a retry or replay carries the same.
   */
  occurredAt: string;
  /**
   * ALERT_MOVED: the division it left. Its subscriptions are told too, as ALERT_MOVED_AWAY naming
   * the division it left (subscriptions.ts envelopeFor), so the old township's system closes what is
   * no longer its to verify.
   */
  formerRegionCode?: string;
  /**
   * Why an ALERT_RAISED push was sent when the alert's condition did not change: the hub corrected its
   * decision day (resolvers/monitoring/decide-by-backfill.ts), or counted its dates again under another
   * holiday calendar (resolvers/monitoring/deadline-recount.ts). Absent from every other push.
   */
  reason?: AlertPushReason;
  /**
   * Who the alert concerns (domain/monitoring/alerts.ts alertConcerns): a subscription of another department
   * than civil affairs is pushed only the alerts it may read. Never sent (alertDeliveryBody names
   * the fields a push carries).
   */
  audience?: { verifierOffice: string; evidenceRefs: readonly string[] };
}

/** What other than a worse condition an ALERT_RAISED push may tell of. */
export type AlertPushReason = 'DECIDE_BY_CORRECTED' | 'DEADLINE_RECOUNTED';

/**
 * What a receiver orders and de-duplicates pushes by, added last to every body (December 2026) and
 * the same on every retry and replay of a push: when its event happened (ISO 8601, UTC), and its
 * number among the pushes queued to its subscription (1, 2, 3…, in the order their events were
 * committed: alert_subscription.last_sequence). A YELLOW retried or replayed after the RED of the
 * same alert carries the smaller number and the earlier time.
 */
export interface PushOrder {
  occurredAt: string;
  sequence: number;
}

/** The JSON body POSTed to a subscriber; `deliveryId` is the same on every retry and replay. */
export interface AlertDeliveryBody extends Partial<PushOrder> {
  deliveryId: string;
  event: AlertDeliveryEvent;
  alert: {
    id: string;
    trigger: string;
    grade: AlertGrade;
    region: string;
    maskedSubject: string;
    verifyBy: IsoDate;
    provisional: boolean;
    /** Added after the first receivers were built: last, so the fields before it keep their order. */
    decideBy: IsoDate;
  };
  /** Only on a push that tells of a corrected decision day or dates counted again (AlertEnvelope.reason): added last, after `alert`. */
  reason?: AlertPushReason;
}

/** The body, with fields in a fixed order (the signature covers the exact bytes sent). */
export function alertDeliveryBody(deliveryId: string, alert: AlertEnvelope, sequence: number): AlertDeliveryBody {
  return {
    deliveryId,
    event: alert.event,
    alert: {
      id: alert.alertId,
      trigger: alert.triggerId,
      grade: alert.grade,
      region: alert.regionCode,
      maskedSubject: alert.maskedSubject,
      verifyBy: alert.verifyBy,
      provisional: alert.provisional,
      decideBy: alert.decideBy,
    },
    ...(alert.reason === undefined ? {} : { reason: alert.reason }),
    occurredAt: alert.occurredAt,
    sequence,
  };
}

/**
 * Serialised at enqueue time and stored: every attempt sends the stored bytes, but for the decision
 * day, which is the alert's own when sent (pushedPayload).
 */
export function alertDeliveryJson(deliveryId: string, alert: AlertEnvelope, sequence: number): string {
  return JSON.stringify(alertDeliveryBody(deliveryId, alert, sequence));
}

/**
 * The body to send for a stored one (an alert's push or a slip's reminder): the same, with
 * `alert.decideBy` the alert's decision day now (`decideBy`: an alert's push only), and with its
 * order (PushOrder) where it has none. A push queued before `decideBy` existed (December 2026) has
 * none, and one queued before the hub counted a backfilled alert's day under its grade's limit
 * (resolvers/monitoring/decide-by-backfill.ts) names 0008's default: each goes out with the day the
 * alert has, put last in `alert`, where a body built now has it. A push queued before the order
 * fields existed goes out with `occurredAt` and `sequence` last, as a body built now has them:
 * `order`, the time its outbox row was written (in the transaction of its event) and the row's id
 * (the subscription's numbers continue above it: migration 0007). Nothing else is touched; the same
 * stored text is returned when nothing changes (so the bytes signed stay the bytes stored). Not a
 * push body (a synthetic test row): returned as it is.
 */
export function pushedPayload(stored: string, order: PushOrder, decideBy?: IsoDate): string {
  let body: unknown;
  try {
    body = JSON.parse(stored);
  } catch {
    return stored;
  }
  if (typeof body !== 'object' || body === null || typeof (body as { deliveryId?: unknown }).deliveryId !== 'string') return stored;
  let b = body as AlertDeliveryBody;
  let changed = false;
  if (decideBy !== undefined && typeof b.alert === 'object' && b.alert !== null && b.alert.decideBy !== decideBy) {
    b = { ...b, alert: { ...b.alert, decideBy } };
    changed = true;
  }
  if (b.sequence === undefined) {
    const { occurredAt: _o, sequence: _s, ...rest } = b;
    b = { ...rest, occurredAt: b.occurredAt ?? order.occurredAt, sequence: order.sequence };
    changed = true;
  }
  return changed ? JSON.stringify(b) : stored;
}
