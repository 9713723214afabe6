/** The request's subscription loaders: a delivery's subscription, and each subscription's counts by state. */
import DataLoader from 'dataloader';
import { byKey } from '../batch';
import type { HubDb } from '../connect';
import { deliveryCounts, subscriptionsByIds, type SubscriptionRecord } from './store';

export type DeliveryCounts = Record<'PENDING' | 'DELIVERED' | 'DEAD', number>;

export function createAlertDeliveryLoaders(db: HubDb) {
  return {
    subscriptionById: new DataLoader<number, SubscriptionRecord | null>(async (ids) => byKey(ids, await subscriptionsByIds(db, ids), (s) => s.id)),
    /** One GROUP BY for every subscription of the answer. */
    countsBySubscription: new DataLoader<number, DeliveryCounts>(async (ids) => {
      const counts = await deliveryCounts(db, [...ids]);
      return ids.map((id) => counts.get(id) ?? { PENDING: 0, DELIVERED: 0, DEAD: 0 });
    }),
  };
}

export type AlertDeliveryLoaders = ReturnType<typeof createAlertDeliveryLoaders>;
