/** What the alert-delivery resolvers hand their children where no row type is the whole of it. */
import type { DeliveryNoticeRecord, DeliveryRecord } from '../../db/alert-delivery/store';
import type { SubscriptionRecord } from '../../db/alert-delivery/store';
import type { Page } from '../models';

/** An outbox row (named apart from the charity's DeliveryRecord, which the generated types also import). */
export type AlertDeliveryRow = DeliveryRecord;
export type AlertDeliveryNoticeRow = DeliveryNoticeRecord;
export type SubscriptionPage = Page<SubscriptionRecord>;
export type DeliveryPage = Page<DeliveryRecord>;
