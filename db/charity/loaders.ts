/** Per-request loaders of the charity tables (made by resolvers/context.ts createLoaders). */
import DataLoader from 'dataloader';
import type { NeedPurpose } from '../../domain/charity/needs';
import type { IsoDate } from '../../domain/dates';
import { byKey, groupByKey } from '../batch';
import type { HubDb } from '../connect';
import {
  claimsOf,
  claimsByNeeds,
  consentsByIds,
  organisationByClient,
  type ClaimRecord,
  deliveriesByNeeds,
  needsByHouseholds,
  organisationsByCodes,
  pledgesByNeeds,
  reductionsByPledges,
  releasesByNeeds,
  type ClaimReleaseRecord,
  type PledgeReductionRecord,
  projectsByPurposes,
  type ConsentRecord,
  type DeliveryRecord,
  type NeedRecord,
  type OrganisationRecord,
  type PledgeRecord,
  type ProjectRecord,
} from './store';
import { charityProject } from './schema';
import { inArray } from 'drizzle-orm';

/** `today`: the request's day, as which a need's involvesMinor is read (store.ts concernsMinorToday). */
export function createCharityLoaders(db: HubDb, today: IsoDate) {
  return {
    consentById: new DataLoader<number, ConsentRecord | null>(async (ids) => byKey(ids, await consentsByIds(db, ids), (c) => c.id)),
    needsByHousehold: new DataLoader<number, NeedRecord[]>(async (ids) => groupByKey(ids, await needsByHouseholds(db, ids, today), (n) => n.householdId)),
    pledgesByNeed: new DataLoader<number, PledgeRecord[]>(async (ids) => groupByKey(ids, await pledgesByNeeds(db, ids), (p) => p.needId)),
    reductionsByPledge: new DataLoader<number, PledgeReductionRecord[]>(async (ids) => groupByKey(ids, await reductionsByPledges(db, ids), (r) => r.pledgeId)),
    /** Every organisation's claim on a need, oldest first (running or not). */
    claimsByNeed: new DataLoader<number, ClaimRecord[]>(async (ids) => groupByKey(ids, await claimsByNeeds(db, ids), (c) => c.needId)),
    /** The claims released on a need, oldest first. */
    releasesByNeed: new DataLoader<number, ClaimReleaseRecord[]>(async (ids) => groupByKey(ids, await releasesByNeeds(db, ids), (r) => r.needId)),
    /** Every delivery entry of a need, oldest first: as reported, corrections and cancellations (deliveryStands picks those that count). */
    deliveriesByNeed: new DataLoader<number, DeliveryRecord[]>(async (ids) => groupByKey(ids, await deliveriesByNeeds(db, ids), (d) => d.needId)),
    organisationByCode: new DataLoader<string, OrganisationRecord | null>(async (codes) => byKey(codes, await organisationsByCodes(db, codes), (o) => o.creditCode)),
    projectsByPurpose: new DataLoader<NeedPurpose, ProjectRecord[]>(async (purposes) => groupByKey(purposes, await projectsByPurposes(db, purposes), (p) => p.purpose)),
    /** Claims by `<need id>|<credit code>`, batched per organisation. */
    claimByNeedAndOrganisation: new DataLoader<string, ClaimRecord | null>(async (keys) => {
      const byOrg = new Map<string, number[]>();
      for (const k of keys) {
        const [needId, code] = k.split('|');
        byOrg.set(code, [...(byOrg.get(code) ?? []), Number(needId)]);
      }
      const rows = (await Promise.all([...byOrg].map(([code, ids]) => claimsOf(db, ids, code)))).flat();
      return byKey(keys, rows, (c) => `${c.needId}|${c.creditCode}`);
    }),
    organisationByClient: new DataLoader<string, OrganisationRecord | null>(async (names) => Promise.all(names.map((n) => organisationByClient(db, n)))),
    projectById: new DataLoader<number, ProjectRecord | null>(async (ids) => byKey(ids, await db.select().from(charityProject).where(inArray(charityProject.id, [...ids])), (p) => p.id)),
  };
}

export type CharityLoaders = ReturnType<typeof createCharityLoaders>;
