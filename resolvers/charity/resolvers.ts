/** schema/charity.graphql: thin resolvers over the use cases of linkage.ts and the charity loaders. */
import { divisionPrefix } from '../../domain/division-code';
import { badInput, requireDivisionCode, requireHubId } from '../../access/errors';
import { inScope } from '../../access/decide';
import { listProjects, openNeedsWithin, claimActive, deliveryStands, type NeedRecord, type ProjectRecord } from '../../db/charity/store';
import { amountBand, projectMatches, projectServesDivision } from '../../domain/charity/needs';
import type { CharityOutcome } from '../../domain/charity/errors';
import { chinaDateOf } from '../../domain/cases/china-time';
import { storedOfficeIn } from '../../domain/cases/offices';
import { caseReference } from '../../domain/cases/reference';
import type { Resolvers } from '../__generated__/types';
import { pageOf, pageSize, positionAfter, refuseUnknownDivision, unknownRegion } from '../common';
import { decodeIdCursor, encodeIdCursor } from '../../domain/cursor';
import type { HubContext } from '../context';
import * as linkage from './linkage';
import { governmentAidPendingFor } from './government-pending';
import { PROGRAMME_BY_CODE } from '../../domain/programmes';

function regionOf(ctx: HubContext, code: string) {
  return ctx.loaders.hub.regionByCode.load(code).then((r) => r ?? unknownRegion(code));
}

function payload<T, P extends object, E extends object>(outcome: CharityOutcome<T>, onOk: (value: T) => P, empty: E) {
  return outcome.ok ? { ...onOk(outcome.value), userErrors: [] } : { ...empty, userErrors: outcome.errors };
}

async function matchingProjects(ctx: HubContext, need: NeedRecord): Promise<ProjectRecord[]> {
  return (await ctx.loaders.charity.projectsByPurpose.load(need.purpose)).filter((p) => projectMatches(p, { purpose: need.purpose, regionCode: need.countyCode }));
}

/** Whether the calling organisation holds an active claim on the need. */
async function claimedByMe(ctx: HubContext, needId: number): Promise<boolean> {
  const org = await ctx.loaders.charity.organisationByClient.load(ctx.access.caller!.name);
  if (!org) return false;
  return claimActive(await ctx.loaders.charity.claimByNeedAndOrganisation.load(`${needId}|${org.creditCode}`), ctx.today);
}

/** A county's division code: 6 digits (a township's 9, a village's 12). */
const COUNTY_CODE_LENGTH = 6;

/** The cursor tag of charityNeedSummaries: a position is a need's id. */
const NEEDS = 'N';

/**
 * A page of open needs (newest first) in the caller's scope, or a division within it, older than
 * the need `beforeId`: charityNeeds' list (its first page) and charityNeedSummaries' pages.
 */
async function openNeedsPage(ctx: HubContext, regionCode: string | null | undefined, first: number | null | undefined, beforeId: number | null): Promise<{ rows: NeedRecord[]; hasNextPage: boolean }> {
  const scope = ctx.access.caller!.regionScope;
  const code = regionCode ? requireDivisionCode(regionCode, 'regionCode') : scope;
  // A need keeps its county alone (the public summary's): a township's or village's code matched none
  // and the list came back empty, as if no household there had asked for help. Its township is told
  // only to a charity that claims it, so the list is by county or wider.
  if (regionCode && code.length > COUNTY_CODE_LENGTH) throw badInput('regionCode', 'REGION_FINER_THAN_COUNTY', `regionCode: needs are listed by county or wider (${code.slice(0, COUNTY_CODE_LENGTH)}): a need's township is told only to the charity that claims it`);
  const size = pageSize(first, 100, ctx.config.maxListSize);
  const needs = await openNeedsWithin(ctx.hub, divisionPrefix(code), ctx.today, size + 1, beforeId);
  await refuseUnknownDivision(ctx.hub, regionCode, 'regionCode', needs.length === 0 && beforeId === null);
  // A township code narrows to its county: summaries carry only the county.
  return { rows: needs.slice(0, size).filter((n) => inScope(scope, n.countyCode)), hasNextPage: needs.length > size };
}

export const charityResolvers: Resolvers = {
  Query: {
    charityNeeds: async (_, args, ctx) => (await openNeedsPage(ctx, args.regionCode, args.first, null)).rows,
    charityNeedSummaries: async (_, args, ctx) => {
      const page = await openNeedsPage(ctx, args.regionCode, args.first, positionAfter(args.after, (c) => decodeIdCursor(NEEDS, c)));
      return pageOf(page, (n) => encodeIdCursor(NEEDS, n.id), (n) => n);
    },
    charityNeedDetail: (_, args, ctx) => linkage.needDetail(ctx, args.id),
    // The projects serving within the division and those whose area holds it (a city-wide project is
    // listed for its counties): the division's own alone listed none of the city's for a county. Without
    // a division, the caller's scope (every project of every county was listed to a county's office).
    charityProjects: async (_, args, ctx) => {
      const code = args.regionCode ? requireDivisionCode(args.regionCode, 'regionCode') : null;
      const division = code ?? ctx.access.caller!.regionScope;
      const projects = (await listProjects(ctx.hub, { purpose: args.purpose ?? null })).filter((p) => projectServesDivision(p.regionCode, division));
      await refuseUnknownDivision(ctx.hub, code, 'regionCode', projects.length === 0);
      return projects;
    },
    charityNeedsOfCase: async (_, args, ctx) => {
      const caseId = requireHubId(args.caseId, 'caseId', 'case id');
      const c = await ctx.loaders.cases.caseById.load(caseId);
      if (!c) return [];
      return (await ctx.loaders.charity.needsByHousehold.load(c.householdId)).filter((n) => n.caseId === caseId);
    },
  },
  Mutation: {
    charityConsentRecord: async (_, { input }, ctx) => {
      const outcome = await linkage.recordConsent(ctx, input);
      return payload(outcome, (consent) => ({ consent, withdrawnNeeds: 0, replayed: outcome.ok && outcome.replayed === true }), { consent: null, withdrawnNeeds: 0, replayed: false });
    },
    charityConsentRevoke: async (_, { input }, ctx) => payload(await linkage.revokeConsent(ctx, input.consentId), (r) => ({ ...r, replayed: false }), { consent: null, withdrawnNeeds: 0, replayed: false }),
    charityNeedPublish: async (_, { input }, ctx) => {
      const outcome = await linkage.publishNeed(ctx, input);
      return payload(outcome, (need) => ({ need, replayed: outcome.ok && outcome.replayed === true }), { need: null, replayed: false });
    },
    charityNeedPublishFromAlert: async (_, { input }, ctx) => {
      const outcome = await linkage.publishNeedFromAlert(ctx, input);
      return payload(outcome, (need) => ({ need, replayed: outcome.ok && outcome.replayed === true }), { need: null, replayed: false });
    },
    charityNeedWithdraw: async (_, { input }, ctx) => payload(await linkage.withdrawNeed(ctx, input.needId), (need) => ({ need, replayed: false }), { need: null, replayed: false }),
    charityOrganisationRegister: async (_, { input }, ctx) => payload(await linkage.registerOrganisation(ctx, input), (organisation) => ({ organisation }), { organisation: null }),
    charityProjectCreate: async (_, { input }, ctx) => {
      const outcome = await linkage.createProject(ctx, input);
      return payload(outcome, (project) => ({ project, replayed: outcome.ok && outcome.replayed === true }), { project: null, replayed: false });
    },
    charityNeedClaim: async (_, { input }, ctx) => payload(await linkage.claimNeed(ctx, input.needId), (claim) => ({ claim }), { claim: null }),
    charityPledgeCreate: async (_, { input }, ctx) => {
      const outcome = await linkage.pledge(ctx, input);
      return payload(outcome, (r) => ({ pledge: r.pledge, remainingFen: r.need.uncoveredFen - r.need.pledgedFen, replayed: outcome.ok && outcome.replayed === true }), { pledge: null, remainingFen: null, replayed: false });
    },
    charityDeliveryReport: async (_, { input }, ctx) => {
      const outcome = await linkage.reportDelivery(ctx, input);
      const settlementUnknown = outcome.ok && (await linkage.deliveryStayUnknown(ctx, outcome.value.delivery));
      const { conflicts, incompleteChecks } = outcome.ok ? await linkage.deliveryConflicts(ctx, outcome.value.delivery, outcome.value.need) : { conflicts: [], incompleteChecks: [] };
      return payload(outcome, (r) => ({ delivery: r.delivery, replayed: outcome.ok && outcome.replayed === true, settlementUnknown, conflicts, incompleteChecks }), { delivery: null, replayed: false, settlementUnknown: false, conflicts: [], incompleteChecks: [] });
    },
    charityDeliveryCancel: async (_, { input }, ctx) => {
      const outcome = await linkage.correctDelivery(ctx, 'REVERSAL', input);
      return payload(outcome, (r) => ({ delivery: r.delivery, superseded: r.superseded, pledge: r.pledge, replayed: outcome.ok && outcome.replayed === true }), { delivery: null, superseded: null, pledge: null, replayed: false });
    },
    charityDeliveryCorrect: async (_, { input }, ctx) => {
      const outcome = await linkage.correctDelivery(ctx, 'CORRECTION', input);
      return payload(outcome, (r) => ({ delivery: r.delivery, superseded: r.superseded, pledge: r.pledge, replayed: outcome.ok && outcome.replayed === true }), { delivery: null, superseded: null, pledge: null, replayed: false });
    },
    charityClaimRelease: async (_, { input }, ctx) => {
      const outcome = await linkage.releaseClaim(ctx, input);
      return payload(outcome, (r) => ({ claim: r.claim, release: r.release, replayed: outcome.ok && outcome.replayed === true }), { claim: null, release: null, replayed: false });
    },
    charityPledgeReduce: async (_, { input }, ctx) => {
      const outcome = await linkage.reducePledge(ctx, input);
      return payload(outcome, (r) => ({ pledge: r.pledge, remainingFen: r.need.uncoveredFen - r.need.pledgedFen, replayed: outcome.ok && outcome.replayed === true }), { pledge: null, remainingFen: null, replayed: false });
    },
  },
  Dossier: {
    charityNeeds: (d, _, ctx) => ctx.loaders.charity.needsByHousehold.load(d.household.id),
  },
  CharityConsent: {
    id: (c) => String(c.id),
    household: async (c, _, ctx) => (await ctx.loaders.hub.householdById.load(c.householdId))!,
  },
  CharityNeed: {
    id: (n) => String(n.id),
    case: async (n, _, ctx) => (await ctx.loaders.cases.caseById.load(n.caseId))!,
    alert: (n, _, ctx) => ctx.loaders.monitoring.alertByCase.load(n.caseId),
    consent: async (n, _, ctx) => (await ctx.loaders.charity.consentById.load(n.consentId))!,
    county: (n, _, ctx) => regionOf(ctx, n.countyCode),
    pledges: (n, _, ctx) => ctx.loaders.charity.pledgesByNeed.load(n.id),
    deliveries: async (n, _, ctx) => (await ctx.loaders.charity.deliveriesByNeed.load(n.id)).filter(deliveryStands),
    deliveryHistory: (n, _, ctx) => ctx.loaders.charity.deliveriesByNeed.load(n.id),
    matchingProjects: (n, _, ctx) => matchingProjects(ctx, n),
    claimReleases: (n, _, ctx) => ctx.loaders.charity.releasesByNeed.load(n.id),
    claimsHeld: async (n, _, ctx) => (await ctx.loaders.charity.claimsByNeed.load(n.id)).filter((c) => claimActive(c, ctx.today)),
    officer: (n) => n.publishedByOfficer,
    withdrawnByOfficer: (n) => n.withdrawnByOfficer,
    governmentAidPending: (n, _, ctx) => (n.state === 'WITHDRAWN' ? [] : governmentAidPendingFor(ctx, n)),
  },
  PendingGovernmentAid: {
    referralId: (p) => String(p.slip.id),
    sameCase: (p) => p.slip.caseId === p.needCaseId,
    programme: (p) => PROGRAMME_BY_CODE.get(p.slip.programmeCode!)!,
    amountFen: (p) => p.slip.amountFen,
    dueOn: (p) => p.slip.dueOn,
    state: (p) => p.slip.state,
  },
  CharityNeedSummary: {
    id: (n) => String(n.id),
    category: (n) => n.purpose,
    amountBand: (n) => amountBand(n.uncoveredFen),
    county: (n, _, ctx) => regionOf(ctx, n.countyCode),
    publishedOn: (n) => chinaDateOf(n.publishedAt),
    forWholeHousehold: (n) => n.beneficiaryIdNumber === null,
    claimedByMe: (n, _, ctx) => claimedByMe(ctx, n.id),
    matchingProjects: (n, _, ctx) => matchingProjects(ctx, n),
    governmentAidPending: (n) => n.governmentAidPendingReason !== null,
  },
  CharityNeedDetail: {
    id: (d) => String(d.need.id),
    purpose: (d) => d.need.purpose,
    urgency: (d) => d.need.urgency,
    township: async (d, _, ctx) => regionOf(ctx, (await ctx.loaders.hub.householdById.load(d.need.householdId))!.regionCode.slice(0, 9)),
    uncoveredFen: (d) => d.need.uncoveredFen,
    pledgedFen: (d) => d.need.pledgedFen,
    remainingFen: (d) => d.need.uncoveredFen - d.need.pledgedFen,
    description: (d) => d.need.description,
    involvesHealth: (d) => d.need.involvesHealth,
    involvesMinor: (d) => d.need.involvesMinor,
    forWholeHousehold: (d) => d.need.beneficiaryIdNumber === null,
    caseReference: async (d, _, ctx) => {
      const c = (await ctx.loaders.cases.caseById.load(d.need.caseId))!;
      return caseReference(c.id, c.reportedAt);
    },
    caseOwner: async (d, _, ctx) => {
      const c = (await ctx.loaders.cases.caseById.load(d.need.caseId))!;
      return storedOfficeIn(c.ownerOffice, c.townshipCode);
    },
    state: (d) => d.need.state,
    claimLapsesOn: (d) => d.claim.lapsesOn,
    governmentAidPending: (d) => d.need.governmentAidPendingReason !== null,
    governmentAidPendingReason: (d) => d.need.governmentAidPendingReason,
    myPledges: async (d, _, ctx) => (await ctx.loaders.charity.pledgesByNeed.load(d.need.id)).filter((p) => p.creditCode === d.organisation.creditCode),
  },
  CharityProject: {
    id: (p) => String(p.id),
    organisation: async (p, _, ctx) => (await ctx.loaders.charity.organisationByCode.load(p.creditCode))!,
    region: (p, _, ctx) => regionOf(ctx, p.regionCode),
  },
  CharityClaim: {
    needId: (c) => String(c.needId),
    organisation: async (c, _, ctx) => (await ctx.loaders.charity.organisationByCode.load(c.creditCode))!,
    claimedAt: (c) => new Date(c.claimedAt.replace(' ', 'T') + 'Z'),
    releasedAt: (c) => (c.releasedAt === null ? null : new Date(c.releasedAt.replace(' ', 'T') + 'Z')),
  },
  CharityClaimRelease: {
    needId: (r) => String(r.needId),
    organisation: async (r, _, ctx) => (await ctx.loaders.charity.organisationByCode.load(r.creditCode))!,
    claimedAt: (r) => new Date(r.claimedAt.replace(' ', 'T') + 'Z'),
    officer: (r) => r.recordedByOfficer,
  },
  CharityPledgeReduction: {
    officer: (r) => r.recordedByOfficer,
  },
  CharityPledge: {
    id: (p) => String(p.id),
    needId: (p) => String(p.needId),
    organisation: async (p, _, ctx) => (await ctx.loaders.charity.organisationByCode.load(p.creditCode))!,
    project: (p, _, ctx) => (p.projectId === null ? null : ctx.loaders.charity.projectById.load(p.projectId)),
    reductions: (p, _, ctx) => ctx.loaders.charity.reductionsByPledge.load(p.id),
    officer: (p) => p.pledgedByOfficer,
  },
  CharityDelivery: {
    id: (d) => String(d.id),
    pledgeId: (d) => String(d.pledgeId),
    needId: (d) => String(d.needId),
    organisation: async (d, _, ctx) => (await ctx.loaders.charity.organisationByCode.load(d.creditCode))!,
    supersedesId: (d) => (d.supersedesId === null ? null : String(d.supersedesId)),
    supersededById: (d) => (d.supersededBy === null ? null : String(d.supersededBy)),
    officer: (d) => d.recordedByOfficer,
  },
};
