/**
 * `npm start`'s start once its configuration has passed (server/main.ts, server/start-checks.ts):
 * the private database server, the migrations, the demo load and the hub server. Loaded by a
 * dynamic import after the checks, since its imports (Apollo, the schema, drizzle, every
 * department's code) take seconds to load.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { generateSigningKeyFiles, holdCheckpointFile, privateServerAuditFiles, setAsideCheckpointFile } from '../access/checkpoints';
import { count } from 'drizzle-orm';
import { demoClientsSummary, ensureDemoClients } from '../access/demo-clients';
import { generateCharityDemo } from '../tools/generate/charity';
import { todayIso } from '../domain/dates';
import { besidePrivateData, hubUrlFile, privateDataDir, removeHubUrlFile, writeHubUrlFile } from '../access/hub-url';
import { accessDbOf } from '../db/access/db';
import { createPool, hubDrizzle, type HubDb } from '../db/connect';
import { DataDirInUse, PrivateServerFailed, startPrivateServer, ServerBinaryMissing, type PrivateServer } from '../db/setup/private-server';
import { ensureDatabase, provisionHub, withMigrationLock } from '../db/setup/provision';
import { DatabaseOfLaterRelease } from '../db/setup/migrator';
import { DOSSIER_MINIMISED, NEEDS_SCREENED, DELIVERY_LINKED, SETTLEMENT_UPGRADES, SETTLEMENT_KEYED_UPGRADES, ALERTS_SETTLEMENT_KEYED, FINDINGS_SETTLEMENT_KEYED, OWNER_CHANGE_OFFICES, DEADLINES_KEPT, type DataUpgradeReport } from '../db/setup/upgrades';
import { HUB_RIGHTS, missingHubRights } from '../db/setup/rights';
import { binlogProblem } from '../db/setup/binlog';
import { household } from '../db/household/schema';
import { closeSources, openSources } from '../federation/sources';
import { generateDemo } from '../tools/generate/index';
import { createHubServer } from './app';
import { reportUnrecognisedStatus } from './status-codes-report';
import type { EarlyListener } from './early-listener';
import { shownPath, userPath } from '../domain/user-path';
import { departmentEnvName, loadConfig, redactUrl, sourceUrls, withDatabase, type HubConfig } from '../db/config';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, type DepartmentCode } from '../domain/departments';
import { departmentsWithoutDemo, exampleHouseholdId } from './demo-example';
import { loadSupervisionDemo } from './demo-supervision';
import { loggableError } from '../domain/privacy';
import { provisionSource } from '../federation/provision';
import type { Started } from './lifecycle';
import type { Logger } from 'pino';
import { CannotStart } from './start-checks';

const ROOT = path.join(__dirname, '..');

/**
 * The hub-url file beside this private server's data, when it names another hub's database that
 * still answers: a data directory beside another hub's (AIDHUB_DATA_DIR=/srv/aidhub/mariadb-2 next
 * to /srv/aidhub/mariadb) shares its folder's files, and starting there rewrote the running hub's
 * demo-clients.env and hub-url and set its audit checkpoint file aside as a finished chain's.
 */
async function besideFilesOfAnotherHub(ownServerUrl: string): Promise<{ file: string; url: string } | null> {
  const file = hubUrlFile();
  let other: URL;
  try {
    other = new URL(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return null;
  }
  const own = new URL(ownServerUrl);
  if (other.hostname === own.hostname && other.port === own.port) return null;
  const answers = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: other.hostname, port: Number(other.port) || 3306 });
    const done = (yes: boolean) => {
      socket.destroy();
      resolve(yes);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  return answers ? { file, url: other.toString() } : null;
}

/**
 * The hub database DATABASE_URL names could not be used: nothing listens there, the server refused
 * the user or password, or the database is missing and the user may not create it. Exit code 3
 * (README, Configuration), apart from 2 (a value to correct before starting again), since a server
 * not up yet may be up at the next try.
 */
class DatabaseUnusable extends Error {}

/** Exit code for DatabaseUnusable. */
const EXIT_DATABASE_UNUSABLE = 3;

/**
 * The user DATABASE_URL names lacks a right the hub needs on its database (db/setup/rights.ts):
 * exit code 4, apart from 3, since no retry helps until someone grants it.
 */
class DatabaseRightsMissing extends Error {}

/** Exit code for DatabaseRightsMissing. */
const EXIT_DATABASE_RIGHTS = 4;

/**
 * What went wrong reaching the database of `url`, in one line naming `variable` and never the
 * password; null for an error that is not about reaching it (left to the general handler).
 */
function databaseProblem(err: unknown, url: string, variable: string): string | null {
  // The driver's error, also where drizzle wrapped it (DrizzleQueryError's cause: a migration's or
  // an insert's statement), which carries the statement and its values and is never printed.
  let driverError: { code?: unknown; sqlMessage?: unknown } | null = null;
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof (e as { code?: unknown }).code === 'string') {
      driverError = e as { code?: unknown; sqlMessage?: unknown };
      break;
    }
  }
  const code = driverError?.code;
  if (typeof code !== 'string') return null;
  let where = '(unparseable URL)';
  let user = '';
  let database = '';
  try {
    const u = new URL(url);
    where = `${u.hostname}:${u.port || 3306}`;
    user = decodeURIComponent(u.username);
    database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  } catch {
    // loadConfig has refused an unparseable URL before this is reached.
  }
  const reasons: Record<string, string> = {
    ECONNREFUSED: `nothing listens at ${where} (connection refused)`,
    ECONNRESET: `the connection to ${where} was closed before the server answered`,
    ETIMEDOUT: `no answer from ${where} (connection timed out)`,
    EHOSTUNREACH: `${where} cannot be reached from this machine (no route to host)`,
    ENETUNREACH: `${where} cannot be reached from this machine (network unreachable)`,
    ENOTFOUND: `the host name of ${where} does not resolve`,
    EAI_AGAIN: `the host name of ${where} could not be resolved (name server did not answer)`,
    ER_ACCESS_DENIED_ERROR: `the server at ${where} refused user '${user}' with the password given`,
    ER_DBACCESS_DENIED_ERROR: `user '${user}' may not use or create the database '${database}' on ${where}`,
    ER_BAD_DB_ERROR: `there is no database '${database}' on ${where}`,
    ER_HOST_NOT_PRIVILEGED: `the server at ${where} does not accept connections from this machine`,
    ER_TABLEACCESS_DENIED_ERROR: `user '${user}' lacks a right the hub needs on the database '${database}' on ${where}${deniedWhat(driverError?.sqlMessage)}; grant it ${NEEDED_RIGHTS} ON \`${database}\`.*`,
    ER_COLUMNACCESS_DENIED_ERROR: `user '${user}' lacks a right the hub needs on the database '${database}' on ${where}${deniedWhat(driverError?.sqlMessage)}; grant it ${NEEDED_RIGHTS} ON \`${database}\`.*`,
    ER_SPECIFIC_ACCESS_DENIED_ERROR: `user '${user}' lacks a right the hub needs on ${where}${deniedWhat(driverError?.sqlMessage)}`,
  };
  const reason = reasons[code];
  return reason ? `${variable} (${redactUrl(url)}): ${reason}` : null;
}

/** The driver's codes for a right refused: a user to grant it to, exit code 4 rather than 3. */
const RIGHT_REFUSED = new Set(['ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR']);

/**
 * The rights the hub's user needs on its own database (db/setup/rights.ts): its migrations create
 * and alter tables and indexes (with foreign keys), and it reads, inserts and updates rows. It never
 * deletes one: DELETE is not asked for.
 */
const NEEDED_RIGHTS = HUB_RIGHTS.join(', ');

/**
 * What the server refused, from its message (`INSERT, UPDATE command denied to user 'u'@'h' for table
 * \`db\`.\`programme\``): the statement's kind and the table, which hold no personal data.
 */
function deniedWhat(sqlMessage: unknown): string {
  if (typeof sqlMessage !== 'string') return '';
  const denied = /^([\w ,]+?) command denied .* for table [`'"]?(?:[^`'".]+[`'"]?\.[`'"]?)?([\w$]+)[`'"]?/.exec(sqlMessage);
  if (denied) return ` (${denied[1]} on table ${denied[2]} was refused)`;
  const privilege = /need (?:at least one of )?the ([\w ,]+?) privilege/i.exec(sqlMessage);
  return privilege ? ` (it needs the ${privilege[1]} privilege)` : '';
}

/**
 * Runs a step that reaches the database `url` (named by `variable`), turning a failure to reach or
 * use it into DatabaseUnusable: one line, exit code 3, rather than the driver's error and stack.
 */
async function usingDatabase<T>(variable: string, url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const problem = databaseProblem(err, url, variable);
    if (!problem) throw err;
    throw RIGHT_REFUSED.has(driverCodeOf(err) ?? '') ? new DatabaseRightsMissing(problem) : new DatabaseUnusable(problem);
  }
}

/** The driver's error code, also where drizzle wrapped the driver's error. */
function driverCodeOf(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

/**
 * Refuses to start, before the migrations, when the user DATABASE_URL names certainly lacks a right
 * the hub needs on its database (db/setup/rights.ts); says nothing where the server cannot tell.
 */
async function checkHubRights(url: string): Promise<void> {
  const missing = await missingHubRights(url);
  if (!missing || missing.length === 0) return;
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  throw new DatabaseRightsMissing(
    `DATABASE_URL (${redactUrl(url)}): user '${decodeURIComponent(u.username)}' lacks ${missing.join(', ')} on the database '${database}' on ${u.hostname}:${u.port || 3306}, which the hub needs; ` +
      `grant it ${NEEDED_RIGHTS} ON \`${database}\`.* (DELETE is not needed: the hub never deletes a row)`,
  );
}

/**
 * Refuses to start, exit code 2, when the database server's binary log would refuse the hub's
 * locking writes (db/setup/binlog.ts): a server setting to correct, as a variable is.
 */
async function checkBinlog(url: string): Promise<void> {
  const problem = await binlogProblem(url);
  if (problem) throw new CannotStart('BINLOG_UNSUITABLE', `DATABASE_URL (${redactUrl(url)}): ${problem}`);
}

/** What a data upgrade provisionHub ran did, for the start-up log (db/setup/upgrades.ts): never what the rows hold. */
function upgradeLogMessage(upgrade: string): string {
  if (upgrade === DOSSIER_MINIMISED) return 'birth dates and addresses taken out of meetings’ dossiers stored by an earlier release';
  if (upgrade === NEEDS_SCREENED) return 'charity needs published before their descriptions were screened, screened';
  if (SETTLEMENT_UPGRADES.has(upgrade)) return 'settlement numbers stored as typed by an earlier release, read as typed';
  if (upgrade === ALERTS_SETTLEMENT_KEYED) return 'alerts raised by an earlier release on a stay held in lower case or with spaces, given the identity of the stay as keyed';
  if (upgrade === FINDINGS_SETTLEMENT_KEYED) return 'findings of an earlier release on a stay held in lower case or with spaces, given the fingerprint of the stay as keyed';
  if (SETTLEMENT_KEYED_UPGRADES.has(upgrade)) return 'settlement numbers stored by an earlier release, keyed as stays are (letters upper-case)';
  if (upgrade === DELIVERY_LINKED) return 'ledger entries of charity deliveries written by an earlier release linked to their delivery';
  if (upgrade === OWNER_CHANGE_OFFICES) return 'owner changes recorded by an earlier release given their offices from their reasons';
  if (upgrade === DEADLINES_KEPT) return 'case deadlines an earlier release stopped kept as counted under the calendar in force (rows: cases)';
  return 'ID numbers in prose stored by an earlier release masked';
}

/** The departments whose databases are on the hub's own private server (no SOURCE_*_URL elsewhere), provisioned empty. */
async function provisionPrivateDepartments(serverUrl: string, sources: HubConfig['sources']): Promise<void> {
  const own = new URL(serverUrl);
  const onIt = (url: string) => {
    const u = new URL(url);
    return u.hostname === own.hostname && u.port === own.port;
  };
  const codes = (Object.keys(sources) as DepartmentCode[]).filter((code) => !HUB_LEDGER_SOURCES.includes(code) && onIt(sources[code].url));
  await Promise.all(codes.map((code) => provisionSource(code, sources[code].url)));
}

/**
 * The demo (the private server's, or AIDHUB_DEMO=1 beside DATABASE_URL): every department's database
 * made and migrated, the demo population loaded into an empty hub, its API clients and the charity
 * demo, all holding the row hub processes migrate under (withMigrationLock). Replicas started
 * together with AIDHUB_DEMO=1 on an empty database ran the departments' DDL at once outside it, and
 * all but one stopped with exit code 1 on `Table … already exists` (a department's table); past that, each
 * found the hub empty and loaded a demo of its own. The next process to take the row finds the
 * departments migrated, the hub full and the clients made, and loads nothing. Returns the clients'
 * tokens, as written to `clientsFile`.
 */
export async function loadDemo(opts: {
  hubUrl: string;
  hub: HubDb;
  households: number;
  clientsFile: string;
  /** A file marking a load under way, so a start after one stopped halfway loads it again (private server only). */
  loadingMarker: string | null;
  /** Whether DATABASE_URL was given: a department's database that cannot be used is then one line naming its variable. */
  departmentsGiven: boolean;
  signal: AbortSignal;
  next: (step: string) => void;
}): Promise<Map<string, string>> {
  const { hubUrl, hub, signal } = opts;
  return withMigrationLock(hubUrl, async () => {
    const urls = sourceUrls(hubUrl);
    await Promise.all(
      DEPARTMENT_CODES.map((code) => {
        const variable = departmentEnvName(code);
        const named = process.env[variable] ? variable : `${variable} (unset: beside the hub database)`;
        return opts.departmentsGiven || process.env[variable] ? usingDatabase(named, urls[code], () => provisionSource(code, urls[code])) : provisionSource(code, urls[code]);
      }),
    );
    // A load stopped halfway (Ctrl-C during the first start) left some tables full and others
    // empty: the next start would refuse to load into them, or serve half a demo. A private
    // server's load is marked while it runs, so the next start finds it unfinished and loads it
    // again from empty tables. The marker is gone once it is done, and stays when a signal stops
    // the load (at its next batch, see startHub).
    const interrupted = opts.loadingMarker !== null && fs.existsSync(opts.loadingMarker);
    const [{ n }] = await hub.select({ n: count() }).from(household);
    if (n === 0 || interrupted) {
      if (interrupted) console.log('The last demo load did not finish: loading it again from the start …');
      console.log(`Empty hub: loading a demo population of ${opts.households} households (seed 1) …`);
      if (opts.loadingMarker) fs.writeFileSync(opts.loadingMarker, `${new Date().toISOString()}\n`);
      // Provisioned above: generateDemo's own provisioning would wait for the row held here.
      await generateDemo({ hubUrl, households: opts.households, seed: 1, existing: interrupted ? 'truncate' : 'refuse', signal, provision: false });
      if (opts.loadingMarker) fs.rmSync(opts.loadingMarker, { force: true });
    }
    opts.next('demo clients');
    const tokens = await ensureDemoClients(accessDbOf(hub), opts.clientsFile);
    const charity = await generateCharityDemo(hub, { charityClientName: 'demo-charity-linkage', today: todayIso(), seed: 1 });
    if (charity) console.log(`Charity linkage demo: ${charity.needs} needs published, ${charity.pledges} pledged (${charity.covered} covered), ${charity.deliveries} delivered`);
    return tokens;
  });
}

/**
 * Where start-up is: the step under way (for the line a stop during start-up logs), whether a stop
 * was asked for, and what has been started so far, to be stopped.
 */
export interface StartUp {
  step: string;
  stopRequested: AbortSignal;
  started: Started;
  /** Once the hub serves: how it drains before a stop (AIDHUB_SHUTDOWN_DRAIN_MS). */
  serving?: { drain: () => void; drainMs: number };
}

/**
 * The configuration as read before anything is started, and the ports taken then (server/main.ts):
 * the public port, and the metrics port where METRICS_PORT names one, both answering 503 until the
 * hub serves (server/early-listener.ts).
 */
export interface Checked {
  early: HubConfig;
  demoHouseholds: number;
  listener: EarlyListener;
  metricsListener: EarlyListener | null;
}

/**
 * Starts the hub up to listening. Each step begins with `next`, the safe point at which a stop
 * asked for during the step before ends start-up (the demo load also stops inside, between
 * batches); everything started registers how it stops with `started`. `checked` is what
 * server/main.ts read and took before this module was loaded.
 */
export async function startHub(startUp: StartUp, logger: Logger, checked: Checked): Promise<void> {
  const { stopRequested, started } = startUp;
  const next = (step: string) => {
    stopRequested.throwIfAborted();
    startUp.step = step;
  };
  const { early, demoHouseholds, listener, metricsListener } = checked;
  let privateServer: PrivateServer | null = null;
  let hubUrl = process.env.DATABASE_URL;
  // Demo data is only ever written to databases the hub created for itself, unless asked for.
  let demo = early.demo === true;
  if (!hubUrl) {
    next('private database server');
    const dataDir = privateDataDir();
    console.log(`No DATABASE_URL: starting a private database server (data in ${shownPath(dataDir)}) …`);
    const server = await startPrivateServer({ dataDir });
    privateServer = server;
    started.add('private database server', () => server.stop());
    const another = await besideFilesOfAnotherHub(server.url);
    if (another) {
      throw new CannotStart(
        'DATA_DIR_OF_ANOTHER_HUB',
        `${shownPath(another.file)} names another running hub's database (${redactUrl(another.url)}): the files beside it (demo-clients.env, audit checkpoints) are that hub's.\n` +
          `  Give this hub a data directory in a folder of its own (AIDHUB_DATA_DIR=…/<its folder>/mariadb), or stop the other hub first.`,
      );
    }
    // It keeps its port from one start to the next while that is free (db/setup/private-server.ts).
    if (server.movedFrom !== null) console.log(`The private database server's port ${server.movedFrom} is taken by another program: it listens on ${server.port} now, and a process given the old URL needs the new one (${shownPath(besidePrivateData('hub-url'))} names it once the hub serves).`);
    hubUrl = withDatabase(privateServer.url, 'aidhub');
    demo = early.demo !== false;
    // The demo pushes alerts to receivers on this machine only, unless told otherwise.
    process.env.AIDHUB_CALLBACK_HOSTS ??= '127.0.0.1:*,localhost:*';
    // The demo polls the departments' change feeds every 30 s, so that a row written into a
    // department's database is an alert within a minute at worst (poll + 5 s commit lag + the
    // delivery worker's 1 s); its monthly comparison (一月一比对) covers the whole city.
    process.env.AIDHUB_MONITOR_INTERVAL_MS ??= '30000';
    process.env.AIDHUB_MONITOR_MONTHLY_REGION ??= '370800';
    // Audit checkpoints are signed with a key of the hub's own, outside the database: beside the
    // private server's data, with the checkpoint file (by default .data/).
    if (!process.env.AUDIT_SIGNING_KEY && !process.env.AUDIT_SIGNING_KEY_FILE) {
      const files = privateServerAuditFiles();
      if (!fs.existsSync(files.signingKey)) {
        generateSigningKeyFiles(files.signingKey, files.verifyKey);
        console.log(`Audit checkpoints: generated a signing key (${shownPath(files.signingKey)}); give auditors ${shownPath(files.verifyKey)}`);
      }
      process.env.AUDIT_SIGNING_KEY_FILE = files.signingKey;
      process.env.AUDIT_CHECKPOINT_FILE ||= files.checkpoints;
      // A new server is a new chain: the file of the old one is kept aside, not appended to.
      const aside = server.created && userPath(process.env.AUDIT_CHECKPOINT_FILE ?? '') === files.checkpoints ? setAsideCheckpointFile(files.checkpoints) : null;
      if (aside) console.log(`Audit checkpoints: a new database, so a new chain; the previous chain's file is kept as ${shownPath(aside)}`);
    }
  }
  const config = loadConfig(hubUrl);
  // One process per checkpoint file (access/checkpoints.ts holdCheckpointFile), let go after the
  // hub's last checkpoint at shutdown: it is registered before the hub, and stops after it.
  if (config.auditCheckpoints) {
    const hold = holdCheckpointFile(config.auditCheckpoints.file);
    started.add('audit checkpoint file lock', hold.release);
    if (hold.tookOverFrom) {
      logger.warn({ lockHost: hold.tookOverFrom.host, lockPid: hold.tookOverFrom.pid, since: hold.tookOverFrom.since }, 'the audit checkpoint file was locked by a process of another machine, which cannot be checked from here: taken over. A hub on that machine still appending to the same file is not detected (never share one file)');
    }
  }
  // The monthly comparison runs in a polling process only: a region on a process that polls nothing
  // was accepted and ignored, with nothing said (harmless on a replica beside one that polls, which
  // is why it is said rather than refused).
  if (!config.monitoring && process.env.AIDHUB_MONITOR_MONTHLY_REGION?.trim()) {
    logger.warn('AIDHUB_MONITOR_MONTHLY_REGION is set, but this process polls no department (neither AIDHUB_MONITOR_INTERVAL_MS nor AIDHUB_MONITOR_INTERVAL_MS_<DEPT>), so it runs no monthly comparison: the process that polls does');
  }

  next('migrations');
  // A hub database given by DATABASE_URL is reached (and created if missing and allowed) first, so
  // a wrong password or a server not up is one line naming the variable, not a stack trace.
  // Its tables likewise (a user without the rights to make or fill them), and with AIDHUB_DEMO=1 each
  // department's database, which the demo creates and fills: one line naming its SOURCE_*_URL.
  const givenHubUrl = process.env.DATABASE_URL ? hubUrl : null;
  const onHub = <T>(work: () => Promise<T>) => (givenHubUrl ? usingDatabase('DATABASE_URL', givenHubUrl, work) : work());
  await onHub(() => ensureDatabase(hubUrl!));
  if (givenHubUrl) await onHub(() => checkHubRights(givenHubUrl));
  if (givenHubUrl) await onHub(() => checkBinlog(givenHubUrl));
  // The data upgrades provisionHub ran (db/setup/upgrades.ts): how many rows, never what they hold.
  const upgraded: DataUpgradeReport = await onHub(() => provisionHub(hubUrl!, { signal: stopRequested }));
  // Without the demo, the private server's department databases are still the hub's own: they
  // are made, empty, so an empty hub reads empty departments rather than missing ones (every
  // department unavailable, a failed monitoring poll every interval). A department given its
  // own SOURCE_*_URL elsewhere is never touched. With the demo, loadDemo makes them.
  if (!demo && privateServer) await provisionPrivateDepartments(privateServer.url, config.sources);
  for (const u of upgraded) logger.info({ table: u.table, rows: u.rowsChanged, ...u.tally }, upgradeLogMessage(u.upgrade));

  next('demo load');
  const hubPool = createPool(hubUrl, { deadlineMs: config.hubTimeoutMs });
  started.add('hub database pool', () => hubPool.end());
  const hub = hubDrizzle(hubPool);
  // Beside the private server's data (by default .data/), like hub-url; in .data/ for a given DATABASE_URL.
  const demoClientsFile = privateServer ? besidePrivateData('demo-clients.env') : path.join(ROOT, '.data', 'demo-clients.env');
  const demoTokens = demo
    ? await onHub(() =>
        loadDemo({
          hubUrl: hubUrl!,
          hub,
          households: demoHouseholds,
          clientsFile: demoClientsFile,
          // A private server's load is marked while it runs (below); the databases are the hub's own.
          loadingMarker: privateServer ? besidePrivateData('demo-loading') : null,
          departmentsGiven: givenHubUrl !== null,
          signal: stopRequested,
          next,
        }),
      )
    : null;

  next('hub server');
  const sources = openSources(config.sources);
  started.add('department sources', () => closeSources(sources));
  // The example the banner and the query page show: a Jining household (the city-wide demo client
  // may see it) that receives aid.
  const example = demo ? await exampleHouseholdId(hub, sources) : null;
  // A department added to the code after this demo was loaded was given an empty database: say so.
  if (demo) {
    // Its rows for the demo's households, alone (tools/generate/department.ts): the demo is seed 1's.
    const url = privateServer ? `"$(cat ${shownPath(hubUrlFile())})"` : redactUrl(hubUrl);
    for (const code of await departmentsWithoutDemo(sources)) {
      console.log(`${code} holds no demo rows: it was added after this demo was loaded, and the demo loads into an empty hub only. To load them, while the hub serves: npm run demo:generate -- --department ${code} --seed 1 --url ${url} (README "Adding a department", step 10).`);
    }
  }
  // The demo's supervision cases: written through a hub of their own with its clock set back, once
  // the departments can be read (their pre-grant checks), under the row replicas migrate under.
  if (demo && demoTokens) {
    next('supervision demo');
    const supervision = await withMigrationLock(hubUrl, () => loadSupervisionDemo({ config, hub, sources, logger }, demoTokens, { seed: 1 })).catch((err: Error) => {
      // A demo of supervision that could not be written leaves the hub to serve the rest.
      logger.warn({ err: loggableError(err) }, 'the supervision demo was not written');
      return null;
    });
    if (supervision) {
      console.log(
        `Supervision demo (任城区): ${supervision.cases} cases, their slips answered on time ${supervision.answeredOnTime}, late ${supervision.answeredLate}, declined ${supervision.declined}, open past due ${supervision.openOverdue}, not yet due ${supervision.openNotYetDue}; forwarded to the county for approval ${supervision.forwardedForApproval}`,
      );
    }
  }
  const { app, apollo, metrics, metricsApp, drain } = await createHubServer(
    { config, hub, sources, logger, exampleHouseholdId: example ?? undefined },
    { httpServer: listener.server, metricsHttpServer: metricsListener?.server },
  );
  // Drains the requests in flight, stops the pollers and closes the HTTP servers (also before they listen).
  started.add('hub server', () => apollo.stop());
  next('listen');
  listener.serve(app);
  startUp.serving = { drain, drainMs: config.shutdownDrainMs ?? 0 };
  // Only now, serving: so `npm run clients`, `scan` and `audit:verify` find this server while it runs.
  if (privateServer) {
    writeHubUrlFile(hubUrl);
    started.add('hub-url file', () => removeHubUrlFile());
  }
  if (metricsListener && metricsApp && config.metrics?.port) {
    metricsListener.serve(metricsApp);
    console.log(`Metrics (Prometheus): http://${config.metrics.host}:${config.metrics.port}/metrics${config.metrics.token ? ' (bearer token: METRICS_TOKEN)' : ''}`);
  }
  // In the background, once serving: a department whose rows carry undocumented status codes is
  // named in the log (counts only) and in /metrics; a slow one holds nothing up.
  const statusCheck = reportUnrecognisedStatus(sources, logger, metrics);
  started.add('status code check', () => statusCheck);
  const base = `http://${config.host}:${config.port}`;
  const tokensFile = shownPath(demoClientsFile);
  console.log(`
AidHub is listening on ${base}/graphql   (query page: ${base}/ , health: ${base}/healthz)
Hub database: ${redactUrl(hubUrl)}
`);
  if (demoTokens) {
    console.log(`Demo API clients (${demoClientsSummary()}): tokens in ${tokensFile}

Try:
  source ${tokensFile}
  curl -s ${base}/graphql -H 'content-type: application/json' \\
    -H "authorization: Bearer $AIDHUB_TOKEN_CIVIL_AFFAIRS" -H 'x-purpose: ELIGIBILITY_REVIEW' \\
    -d '{"query":"{ household(id: \\"${example ?? 1}\\") { registrationNumber members { relation person { name age } } aid { department { code } programme { name } amountFen } sources { department { code } available } } }"}'
`);
  } else {
    console.log('Every request needs an API client token: create one with `npm run clients -- create --help` (see docs/access.md).');
  }
}

/**
 * The exit code of a refusal this module's steps make (README, Configuration): 4 for a right the
 * hub's user lacks, 3 for a database that cannot be reached or used, 2 for a setting to correct;
 * null for another error.
 */
export function startExitCode(err: unknown): number | null {
  if (err instanceof DatabaseRightsMissing) return EXIT_DATABASE_RIGHTS;
  if (err instanceof DatabaseUnusable || err instanceof PrivateServerFailed) return EXIT_DATABASE_UNUSABLE;
  if (err instanceof ServerBinaryMissing || err instanceof DataDirInUse || err instanceof DatabaseOfLaterRelease) return 2;
  return null;
}
