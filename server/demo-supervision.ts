/**
 * The demo's supervision cases (tools/generate/supervision.ts), written through a hub of their own
 * in this process: the same server the demo then serves (createHubServer), with the hub's clock
 * (HubDeps.clock) set to each step's instant in the past, listening on a free port of 127.0.0.1
 * for as long as the steps take, its background workers off. So the meetings run the pre-grant
 * check, the slips get their deadlines by the holiday calendar, the cases their seals and the
 * reads their audit rows exactly as when an office sends them, dated back from today.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { HubConfig } from '../db/config';
import type { HubDb } from '../db/connect';
import { chinaDateOf } from '../domain/cases/china-time';
import type { Sources } from '../federation/sources';
import { generateSupervisionDemo, SUPERVISION_DEMO_COUNTY, SUPERVISION_DEMO_TOWNSHIP, supervisionDemoProgress, type DemoGql, type SupervisionDemoSummary } from '../tools/generate/supervision';
import { createHubServer } from './app';

export interface SupervisionDemoOptions {
  seed: number;
  /** The instant the demo counts back from (default now); a demo begun before counts from the day it began. */
  now?: Date;
  /**
   * For tests: stop the demo after this many requests were answered, the last one's answer lost, as
   * a start killed in those seconds leaves it (the error names it). Nothing in production sets it.
   */
  interruptAfterRequests?: number;
}

/**
 * Writes the demo, or completes one a stopped start began (with fewer cases where 任城区 has too few
 * households without a case left for the others: a warning says so, once); null when it is complete
 * already, or when 任城区 has too few households without a case to begin it (a warning says so;
 * nothing is sent).
 */
export async function loadSupervisionDemo(
  deps: { config: HubConfig; hub: HubDb; sources: Sources; logger: Logger },
  tokens: ReadonlyMap<string, string>,
  opts: SupervisionDemoOptions = { seed: 1 },
): Promise<SupervisionDemoSummary | null> {
  if ((await supervisionDemoProgress(deps.hub)).kind === 'COMPLETE') return null;
  const today = chinaDateOf(opts.now ?? new Date());
  let now = opts.now ?? new Date();
  // Its own listener and no workers: nothing of it outlives the steps (no poller, deliveries, job
  // takeover, metrics port or checkpoint file; rate limits in its memory).
  const config: HubConfig = {
    ...deps.config,
    port: 0,
    host: '127.0.0.1',
    metrics: undefined,
    monitoring: undefined,
    alertDelivery: undefined,
    jobTakeoverIntervalMs: undefined,
    auditCheckpoints: null,
    rateLimitRedisUrl: undefined,
  };
  // Its start-up warnings (the holiday calendar's years, audit checkpoints off) are the served hub's to say.
  const logger = deps.logger.child({ demo: 'supervision' }, { level: 'error' });
  const server = await createHubServer({ config, hub: deps.hub, sources: deps.sources, logger, clock: () => now });
  try {
    await new Promise<void>((resolve, reject) => {
      server.httpServer.once('error', reject);
      server.httpServer.listen(0, '127.0.0.1', () => resolve());
    });
    const url = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/graphql`;
    let answered = 0;
    const gql: DemoGql = async (variable, purpose, query, variables, officer) => {
      const token = tokens.get(variable);
      if (!token) throw new Error(`supervision demo: no demo client ${variable}`);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': purpose, ...(officer ? { 'x-officer': officer } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as Awaited<ReturnType<DemoGql>>;
      answered += 1;
      if (answered === opts.interruptAfterRequests) throw new Error(`supervision demo: interrupted after ${answered} requests`);
      return body;
    };
    const outcome = await generateSupervisionDemo(deps.hub, { at: (instant) => (now = instant), gql }, { today, seed: opts.seed });
    if (outcome.kind === 'TOO_FEW_HOUSEHOLDS') {
      // The office's own cases took the households (the demo opens none on a household that has a case):
      // an outcome of its data, not a failure, so said in one line a start and the hub served all the same.
      const { casesNeeded } = outcome;
      deps.logger.warn(
        { county: SUPERVISION_DEMO_COUNTY, casesOpened: 0, casesNeeded },
        `the supervision demo was not written: 任城区 (${SUPERVISION_DEMO_COUNTY}) has fewer than ${casesNeeded} households with a living member and no case, one for each of its cases, the last of them in its township ${SUPERVISION_DEMO_TOWNSHIP} (nothing was sent)`,
      );
    }
    if (outcome.kind === 'WRITTEN_SHORT') {
      // A demo a stopped start began, finished with the cases it had opened: said by the start that
      // finishes it, and by none after (the next finds those cases whole and adds nothing).
      const { summary, casesNeeded } = outcome;
      deps.logger.warn(
        { county: SUPERVISION_DEMO_COUNTY, casesOpened: summary.cases, casesNeeded },
        `the supervision demo was finished with ${summary.cases} of its ${casesNeeded} cases: 任城区 (${SUPERVISION_DEMO_COUNTY}) had too few households left with a living member and no case for the other ${casesNeeded - summary.cases}, which were not opened (the cases opened were written whole)`,
      );
    }
    return outcome.kind === 'WRITTEN' || outcome.kind === 'WRITTEN_SHORT' ? outcome.summary : null;
  } finally {
    await server.apollo.stop();
    if (server.httpServer.listening) await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}
