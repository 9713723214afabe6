/**
 * Per-request DataLoaders over the case tables. Each batch is one statement and returns exactly one
 * entry per key, in key order; a missing row is null (or an empty list), never an error.
 */
import DataLoader from 'dataloader';
import type { OfficeCode as DepartmentCode } from '../../domain/departments';
import { byKey, groupByKey } from '../batch';
import type { HubDb } from '../connect';
import {
  casesByHouseholdIds,
  casesByIds,
  casesByPredecessorIds,
  departmentsByMeetingIds,
  eventsByCaseIds,
  meetingsByCaseIds,
  meetingsByIds,
  referralsByCaseIds,
  referralsByIds,
  secondAidsByCaseIds,
  ungivenDecisionsOfHouseholds,
} from './store';
import { decisionChecksByReferralIds, fulfilmentsByReferralIds, type DecisionCheckRecord, type FulfilmentRecord } from '../case-loop/store';
import { declinesByReferralIds, type DeclineRecord } from './declines';
import { firstAidsByCaseIds, type FirstAidRecord } from './first-aid';
import { countyApprovalsByCaseIds, type CountyApprovalRecord } from './county-approval';
import { correctionsByReferralIds, type CorrectionRow } from './corrections';
import type { CaseEventRecord, CaseRecord, MeetingRecord, ReferralRecord, SecondAidRecord } from './records';

export function createCaseLoaders(db: HubDb) {
  const caseById = new DataLoader<number, CaseRecord | null>(async (ids) => byKey(ids, await casesByIds(db, ids), (c) => c.id));
  /** Cases read by another key are cases by id too: the access rules of their slips and meetings look each up (access/policy.ts caseRegions). */
  const known = (cases: CaseRecord[]) => {
    for (const c of cases) caseById.prime(c.id, c);
    return cases;
  };
  return {
    caseById,
    /** The case continuing this one in another county (caseHandOver), null when none. */
    successorByCase: new DataLoader<number, CaseRecord | null>(async (ids) => byKey(ids, known(await casesByPredecessorIds(db, ids)), (c) => c.predecessorCaseId!)),
    /** Newest first. */
    casesByHousehold: new DataLoader<number, CaseRecord[]>(async (ids) => groupByKey(ids, known(await casesByHouseholdIds(db, ids)), (c) => c.householdId)),
    /** In the order they were recorded. */
    eventsByCase: new DataLoader<number, CaseEventRecord[]>(async (ids) => groupByKey(ids, await eventsByCaseIds(db, ids), (e) => e.caseId)),
    referralsByCase: new DataLoader<number, ReferralRecord[]>(async (ids) => groupByKey(ids, await referralsByCaseIds(db, ids), (r) => r.caseId)),
    /** The household's decisions decided and not yet given (store.ts ungivenDecisionsOfHousehold), oldest first. */
    ungivenDecisionsByHousehold: new DataLoader<number, ReferralRecord[]>(async (ids) => groupByKey(ids, await ungivenDecisionsOfHouseholds(db, ids), (r) => r.householdId)),
    referralById: new DataLoader<number, ReferralRecord | null>(async (ids) => byKey(ids, await referralsByIds(db, ids), (r) => r.id)),
    meetingsByCase: new DataLoader<number, MeetingRecord[]>(async (ids) => groupByKey(ids, await meetingsByCaseIds(db, ids), (m) => m.caseId)),
    meetingById: new DataLoader<number, MeetingRecord | null>(async (ids) => byKey(ids, await meetingsByIds(db, ids), (m) => m.id)),
    departmentsByMeeting: new DataLoader<number, DepartmentCode[]>(async (ids) =>
      groupByKey(ids, await departmentsByMeetingIds(db, ids), (d) => d.meetingId).map((rows) => rows.map((r) => r.department)),
    ),
    /** How a completed decision was fulfilled (db/case-loop/), null when not recorded. */
    fulfilmentByReferral: new DataLoader<number, FulfilmentRecord | null>(async (ids) => byKey(ids, await fulfilmentsByReferralIds(db, ids), (f) => f.referralId)),
    /** The pre-grant check a meeting's decision ran (db/case-loop/), null for other slips. */
    decisionCheckByReferral: new DataLoader<number, DecisionCheckRecord | null>(async (ids) => byKey(ids, await decisionChecksByReferralIds(db, ids), (c) => c.referralId)),
    /** What became of a declined decision (db/cases/declines.ts), null while open or for other slips. */
    declineByReferral: new DataLoader<number, DeclineRecord | null>(async (ids) => byKey(ids, await declinesByReferralIds(db, ids), (d) => d.referralId)),
    /**
     * The correction of the meeting's decisions that superseded the slip, else the one that issued it
     * (db/cases/corrections.ts), null for others.
     */
    correctionByReferral: new DataLoader<number, CorrectionRow | null>(async (ids) =>
      groupByKey(ids, await correctionsByReferralIds(db, ids), (c) => c.referralId).map((rows) => rows.find((r) => r.role === 'SUPERSEDED') ?? rows[0] ?? null),
    ),
    /** 先行救助 as recorded (db/cases/first-aid.ts), null before any. */
    firstAidByCase: new DataLoader<number, FirstAidRecord | null>(async (ids) => byKey(ids, await firstAidsByCaseIds(db, ids), (f) => f.caseId)),
    /** 转交县级审批 as recorded (db/cases/county-approval.ts), null for a case not forwarded. */
    countyApprovalByCase: new DataLoader<number, CountyApprovalRecord | null>(async (ids) => byKey(ids, await countyApprovalsByCaseIds(db, ids), (a) => a.caseId)),
    secondAidsByCase: new DataLoader<number, SecondAidRecord[]>(async (ids) => groupByKey(ids, await secondAidsByCaseIds(db, ids), (s) => s.caseId)),
  };
}

export type CaseLoaders = ReturnType<typeof createCaseLoaders>;
