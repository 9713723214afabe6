/**
 * Batch reads of the case-loop tables, one statement each, for the per-request loaders.
 */
import { inArray } from 'drizzle-orm';
import type { Fulfilment } from '../../domain/cases/fulfilment';
import type { HubDb } from '../connect';
import type { DecisionCheck, DecisionFinding } from '../../domain/cases/decision-checks';
import type { DepartmentCode } from '../../domain/departments';
import { decisionCheck, referralFulfilment } from './schema';

export type FulfilmentRecord = Fulfilment & { referralId: number };

export async function fulfilmentsByReferralIds(db: HubDb, referralIds: readonly number[]): Promise<FulfilmentRecord[]> {
  return db.select().from(referralFulfilment).where(inArray(referralFulfilment.referralId, [...referralIds]));
}

export type DecisionCheckRecord = DecisionCheck & { referralId: number; meetingId: number };

export async function decisionChecksByReferralIds(db: HubDb, referralIds: readonly number[]): Promise<DecisionCheckRecord[]> {
  const rows = await db.select().from(decisionCheck).where(inArray(decisionCheck.referralId, [...referralIds]));
  return rows.map((r) => ({
    referralId: r.referralId,
    meetingId: r.meetingId,
    findings: JSON.parse(r.findingsJson) as DecisionFinding[],
    unavailable: JSON.parse(r.unavailableJson) as DepartmentCode[],
    overrideReason: r.overrideReason,
  }));
}
