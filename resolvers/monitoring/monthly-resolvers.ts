/**
 * schema/monitoring-monthly.graphql: the monthly comparison on demand. Thin: the division and month
 * here, the run in monthly.ts (MonthlyJobs), storage in db/monitoring-monthly.
 */
import { badInput, requireDivisionCode } from '../../access/errors';
import { monthlyRunsUnder } from '../../db/monitoring-monthly/store';
import { shownJobState } from '../../db/heartbeat';
import { fromDbInstant } from '../../db/instants';
import { divisionPrefix, isDivisionCode } from '../../domain/division-code';
import { activeRuleSet } from '../../rules/load';
import { chinaDateOf } from '../../domain/cases/china-time';
import { monthProblem, type IsoDate } from '../../domain/dates';
import { activeTriggerSet } from '../../rules/triggers-load';
import type { Resolvers } from '../__generated__/types';
import { pageSize, refuseUnknownDivision, unknownRegion } from '../common';
import { UNKNOWN_DIVISION_MESSAGE } from '../../db/household/region-pages';
import type { HubContext } from '../context';
import { monthlyJobs, monthOf } from './monthly';

/**
 * The run's clock: real time, moved by whole days onto the request's day when the hub is told its
 * own day (tests, a replay). The run outlives the request, so the times it gives its alerts keep
 * moving. (Its heartbeats are the database's clock: db/monitoring-monthly/store.ts.)
 */
function clockOn(today: IsoDate): () => Date {
  const offsetMs = Date.parse(`${today}T00:00:00Z`) - Date.parse(`${chinaDateOf(new Date())}T00:00:00Z`);
  return () => new Date(Date.now() + offsetMs);
}

function callerName(ctx: HubContext): string {
  const caller = ctx.access?.caller;
  if (!caller) throw new Error('monthlyComparisonRun reached without a caller (access enforcement runs first)');
  return caller.name;
}

export const monthlyComparisonResolvers: Resolvers = {
  Query: {
    monthlyComparisons: async (_, args, ctx) => {
      const scope = ctx.access?.caller?.regionScope;
      const asked = args.regionCode ? requireDivisionCode(args.regionCode, 'regionCode') : null;
      const code = asked ?? (scope && isDivisionCode(scope) ? scope : '');
      const runs = await monthlyRunsUnder(ctx.hub, code ? divisionPrefix(code) : '', pageSize(args.first, 20, ctx.config.maxListSize));
      await refuseUnknownDivision(ctx.hub, asked, 'regionCode', runs.length === 0);
      return runs;
    },
  },
  Mutation: {
    monthlyComparisonRun: async (_, { input }, ctx) => {
      const region = requireDivisionCode(input.regionCode, 'input.regionCode');
      const problem = input.month == null ? null : monthProblem(input.month);
      if (problem) throw badInput('input.month', problem.reason, `month: ${problem.message}`);
      const deps = { hub: ctx.hub, sources: ctx.sources, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: clockOn(ctx.today), metrics: ctx.jobMetrics, logger: ctx.logger };
      const month = input.month ?? monthOf(deps);
      const out = await monthlyJobs.start(deps, region, month, callerName(ctx));
      if (!out.ok && out.code === 'REGION_UNKNOWN') return { comparison: null, started: false, userErrors: [{ code: out.code, message: UNKNOWN_DIVISION_MESSAGE, field: ['input', 'regionCode'] }] };
      if (!out.ok) return { comparison: null, started: false, userErrors: [{ code: out.code, message: `only the current month (${monthOf(deps)}) can be run: the comparison judges on today’s data`, field: ['input', 'month'] }] };
      return { comparison: out.run, started: out.started, userErrors: [] };
    },
  },
  MonthlyComparison: {
    id: (r) => String(r.id),
    region: async (r, _, ctx) => (await ctx.loaders.hub.regionByCode.load(r.regionCode)) ?? unknownRegion(r.regionCode),
    // A RUNNING run whose process died (silent by the database's clock) is FAILED (INTERRUPTED), as a scan is.
    state: (r) => shownJobState(r).state,
    failure: (r) => shownJobState(r).failure,
    startedAt: (r) => fromDbInstant(r.startedAt),
    finishedAt: (r) => (r.finishedAt === null ? null : fromDbInstant(r.finishedAt)),
  },
};
