/**
 * Batch reads of the case-loop tables, one statement each, for the per-request loaders.
 */
import { inArray } from 'drizzle-orm';
import type { Fulfilment } from '../../domain/cases/fulfilment';
import type { HubDb } from '../connect';
import { referralFulfilment } from './schema';

export type FulfilmentRecord = Fulfilment & { referralId: number };

export async function fulfilmentsByReferralIds(db: HubDb, referralIds: readonly number[]): Promise<FulfilmentRecord[]> {
  return db.select().from(referralFulfilment).where(inArray(referralFulfilment.referralId, [...referralIds]));
}
