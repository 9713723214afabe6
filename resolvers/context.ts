/** One typed context per request: configuration, data access and a fresh set of loaders. */
import type { AuditStore } from '../access/audit';
import type { RequestAccess } from '../access/decide';
import { AccessSession } from '../access/session';
import type { HubDb } from '../db/connect';
import { RequestAbandoned, RequestReads, type AbandonedListener } from '../db/abandon';
import { createCaseLoaders } from '../db/cases/loaders';
import { createCharityLoaders } from '../db/charity/loaders';
import { createHubLoaders, type HubLoaderOptions } from '../db/household/loaders';
import { createMonitoringLoaders } from '../db/monitoring/loaders';
import { createAlertDeliveryLoaders } from '../db/alert-delivery/loaders';
import type { DepartmentCode } from '../domain/departments';
import { todayIso, type IsoDate } from '../domain/dates';
import { chinaDateOf } from '../domain/cases/china-time';
import { loggableError } from '../domain/privacy';
import { createDepartmentLoaders, createNoLongerStandingLoaders, primeDepartment, PROBE, UnreadableRows, unrecognisedIn, type DepartmentLoaders, type OutcomeListener, type SourceOutcome } from '../federation/loaders';
import type { AidRecord } from '../federation/contract';
import type { LevelLogger } from '../access/request-id';
import { ledgerRecord } from '../federation/registry';
import { statementRefused } from '../federation/statement-refused';
import { checkSources, type Sources } from '../federation/sources';
import type { HubConfig } from '../db/config';
import { createFindingLoaders } from './findings/live';
import type { Logger } from 'pino';
import type { JobMetrics } from './job-metrics';

export interface HubDeps {
  config: HubConfig;
  hub: HubDb;
  sources: Sources;
  logger: Logger;
  /** Fixed in tests; otherwise today in China (of `clock` when one is given). */
  today?: () => IsoDate;
  /**
   * The hub's clock: what every write records as the moment it was received, and what "now" is
   * for deadlines and supervision. Default the system clock; a test moves it instead of sleeping.
   */
  clock?: () => Date;
  /** The household the query page shows as its example (a demo household with aid). */
  exampleHouseholdId?: string;
  /** Told each department read's outcome, and each request abandoned because its client went away (server/metrics.ts). */
  metrics?: JobMetrics & AbandonedListener & { sourceOutcome(outcome: SourceOutcome): void; unrecognisedStatus(department: DepartmentCode, records: number): void; unrecognisedProgramme(department: DepartmentCode, records: number): void };
}

// The listeners and the clock below are made for every request by module functions that return
// them unnamed: under `npm start` tsx (esbuild's keepNames) defines the name of every closure
// named inside a function each time it is made (test/keep-names.test.ts).

/**
 * Each department read's outcome counted, and a department that failed recorded and logged by
 * `logger`, the request's (access/request-id.ts requestLogger), so a read's failure names the request.
 */
function outcomeListener(deps: HubDeps, unavailable: Map<DepartmentCode, SourceOutcome>, logger: LevelLogger): OutcomeListener {
  return (outcome, error, unrecognised) => {
    // A read stopped because the request's client went away (db/abandon.ts RequestReads) is no
    // failure of the department's: its (unsent) answer shows it missing, as a read out of time,
    // but it is neither counted in aidhub_source_* nor logged (the request is, once: server/client-gone.ts).
    if (error instanceof RequestAbandoned) {
      unavailable.set(outcome.department, outcome);
      return;
    }
    deps.metrics?.sourceOutcome(outcome);
    deps.metrics?.unrecognisedStatus(outcome.department, unrecognised.status);
    deps.metrics?.unrecognisedProgramme(outcome.department, unrecognised.programme);
    if (outcome.available) return;
    unavailable.set(outcome.department, outcome);
    // Only codes are logged: a driver error's message can carry the statement's parameters.
    logger.warn(
      {
        department: outcome.department,
        reason: outcome.reason,
        latencyMs: outcome.latencyMs,
        errorCode: loggableError(error).code ?? '',
        // The server's error packet of a refused statement (its number and SQLSTATE: which table, column or grant is the department's to say).
        ...(outcome.reason === 'STATEMENT_REFUSED' ? statementRefused(error) : {}),
        ...(error instanceof UnreadableRows ? { unreadableRecords: error.byField } : {}),
      },
      'department source unavailable',
    );
  };
}

/**
 * A household read's ledger entries handed to the ledger's department loader. A household with no
 * current members asks every department about PROBE (aidForPeople) to report its state: for the
 * ledger that state is the hub's, which has just answered, so PROBE is primed too. Without it that
 * household cost a ninth statement (test/household.test.ts). The read is the ledger's, made with the
 * household's: it is reported as a department read is (aidhub_source_* metrics), which the primed
 * loader never makes. Loops, not spreads of the entries and their records: it runs for every
 * household read.
 */
function ledgerListener(today: IsoDate, onOutcome: OutcomeListener, departments: DepartmentLoaders): NonNullable<HubLoaderOptions['onLedger']> {
  return (entries, latencyMs) => {
    const byPerson = new Map<string, AidRecord[]>([[PROBE, []]]);
    const records: AidRecord[] = [];
    for (const [idNumber, rows] of entries) {
      const mine: AidRecord[] = [];
      for (const row of rows.values()) {
        const record = ledgerRecord(row, today);
        if (!record) continue;
        mine.push(record);
        records.push(record);
      }
      byPerson.set(idNumber, mine);
    }
    const outcome: SourceOutcome = { department: 'REPORTED', available: true, latencyMs, reason: null };
    onOutcome(outcome, null, unrecognisedIn(records));
    primeDepartment(departments, 'REPORTED', byPerson, outcome);
  };
}

/**
 * Every DataLoader of one request: the hub's tables, each department, the findings' facts and
 * stored findings, the case tables. Nothing per request is kept anywhere else.
 */
export function createLoaders(deps: HubDeps, today: IsoDate, unavailable: Map<DepartmentCode, SourceOutcome>, logger: LevelLogger = deps.logger) {
  const reads = new RequestReads();
  const onOutcome = outcomeListener(deps, unavailable, logger);
  // The hub's and the departments' loaders too are made when first asked: a request that reads
  // neither (`{ __typename }`, a pre-grant check's own reads, an administration mutation) made a
  // HeldLoader trio, a DataLoader and eight department loaders for nothing (docs/performance.md,
  // Session 43). Each is made once a request; every later ask gets the same.
  let departments: DepartmentLoaders | undefined;
  let hub: ReturnType<typeof createHubLoaders> | undefined;
  let noLongerStanding: ReturnType<typeof createNoLongerStandingLoaders> | undefined;
  // The ledger is read with a household's members when it is the hub's own (it always is, unless
  // SOURCE_REPORTED_URL points elsewhere): one statement fewer per household query.
  const ledgerIsHubs = deps.config.sources.REPORTED?.url === deps.config.hubUrl;
  // The other features' loaders (some forty DataLoaders between them) are made when a field of
  // theirs first asks, not for every request: a household query reads none of them.
  let findings: ReturnType<typeof createFindingLoaders> | undefined;
  let checkFindings: ReturnType<typeof createFindingLoaders> | undefined;
  let cases: ReturnType<typeof createCaseLoaders> | undefined;
  let monitoring: ReturnType<typeof createMonitoringLoaders> | undefined;
  let alertDelivery: ReturnType<typeof createAlertDeliveryLoaders> | undefined;
  let charity: ReturnType<typeof createCharityLoaders> | undefined;
  const loaders = {
    get hub() {
      return (hub ??= createHubLoaders(deps.hub, ledgerIsHubs ? { onLedger: ledgerListener(today, onOutcome, loaders.departments) } : {}));
    },
    get findings() {
      return (findings ??= createFindingLoaders({ hub: deps.hub, sources: deps.sources, unavailable, today, onOutcome, reads }));
    },
    /** The findings' loaders over the connections kept for pre-grant checks; made when a check first asks. */
    get checkFindings() {
      return (checkFindings ??= createFindingLoaders({ hub: deps.hub, sources: checkSources(deps.sources), unavailable, today, onOutcome, reads }));
    },
    get cases() {
      return (cases ??= createCaseLoaders(deps.hub));
    },
    get monitoring() {
      return (monitoring ??= createMonitoringLoaders(deps.hub));
    },
    get alertDelivery() {
      return (alertDelivery ??= createAlertDeliveryLoaders(deps.hub));
    },
    get charity() {
      return (charity ??= createCharityLoaders(deps.hub, today));
    },
    get departments() {
      return (departments ??= createDepartmentLoaders(deps.sources, today, onOutcome, reads));
    },
    /** Told each department read's outcome, also the findings' and pre-grant check's own reads (resolvers/findings/live.ts): logged and counted. */
    sourceOutcome: onOutcome,
    /** Records no longer standing at their source, each carrying what stands in its place (the reported-aid ledger's corrections and reversals); made when first asked. */
    get noLongerStanding() {
      return (noLongerStanding ??= createNoLongerStandingLoaders(deps.sources, today, onOutcome, reads));
    },
    /** The request's department reads, abandoned together when its client goes away (db/abandon.ts RequestReads). */
    reads,
  };
  return loaders;
}

export type Loaders = ReturnType<typeof createLoaders>;

export interface HubContext {
  config: HubConfig;
  hub: HubDb;
  today: IsoDate;
  /**
   * One clock reading per request, taken the first time it is asked for (close to the write that
   * records it), so every field of an answer agrees on "now".
   */
  now: () => Date;
  loaders: Loaders;
  /** The department sources, for reads the loaders do not cover (findings: settlements, roll, scans). */
  sources: Sources;
  /** Departments that failed during this request; reported as DEPARTMENT_UNAVAILABLE errors. */
  unavailable: Map<DepartmentCode, SourceOutcome>;
  /** Who asks and why, the views granted and the subjects touched (access/session.ts). */
  access: AccessSession;
  /** The audit trail, for `accessLog`. Null only where no server runs (unit tests of resolvers). */
  audit: AuditStore | null;
  /** The hub's log, each line with the request's id: also for jobs a request starts (a scan's end, or its hand-over). */
  logger?: LevelLogger;  /** Told how the scans and comparisons a request starts end (server/metrics.ts). */
  jobMetrics?: JobMetrics;
}

/** The hub's clock reading (HubDeps.clock, else the system clock). */
export function hubNow(deps: Pick<HubDeps, 'clock'>): Date {
  return deps.clock?.() ?? new Date();
}

/** Today in China by the hub's clock, unless a test fixed the day (HubDeps.today). */
export function hubToday(deps: Pick<HubDeps, 'clock' | 'today'>): IsoDate {
  return deps.today?.() ?? (deps.clock ? chinaDateOf(deps.clock()) : todayIso());
}

/** The hub's clock read the first time it is asked for, then the same reading (HubContext.now). */
function clockOnce(deps: HubDeps): () => Date {
  let now: Date | undefined;
  return () => (now ??= hubNow(deps));
}

/**
 * `access` is what the HTTP layer authenticated; without it every field refuses (UNAUTHENTICATED).
 * `logger`: the request's (access/request-id.ts requestLogger), for every line written for it.
 */
export function createContext(deps: HubDeps, access: RequestAccess | null = null, audit: AuditStore | null = null, logger: LevelLogger = deps.logger): HubContext {
  const today = hubToday(deps);
  const unavailable = new Map<DepartmentCode, SourceOutcome>();
  return { config: deps.config, hub: deps.hub, today, now: clockOnce(deps), loaders: createLoaders(deps, today, unavailable, logger), sources: deps.sources, unavailable, access: new AccessSession(access), audit, logger, jobMetrics: deps.metrics };
}
