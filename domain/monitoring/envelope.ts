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
   * ALERT_MOVED: the division it left. Its subscriptions are told too, as ALERT_MOVED_AWAY naming
   * the division it left (subscriptions.ts envelopeFor), so the old township's system closes what is
   * no longer its to verify.
   */
  formerRegionCode?: string;
}

/** The JSON body POSTed to a subscriber; `deliveryId` is the same on every retry and replay. */
export interface AlertDeliveryBody {
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
}

/** The body, with fields in a fixed order (the signature covers these exact bytes). */
export function alertDeliveryBody(deliveryId: string, alert: AlertEnvelope): AlertDeliveryBody {
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
  };
}

/** Serialised once, at enqueue time, and stored: every attempt sends the same bytes. */
export function alertDeliveryJson(deliveryId: string, alert: AlertEnvelope): string {
  return JSON.stringify(alertDeliveryBody(deliveryId, alert));
}
