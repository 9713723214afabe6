/**
 * `npm start` with a configuration it cannot run with, as an operator meets it: the hub's own
 * process (server/main.ts) started with one bad variable from README's Configuration table. Each
 * is refused before anything starts (no private database server, nothing written in the data
 * folder), with one line naming the variable, no stack trace, exit code 2. Before, a port above
 * 65535 passed the integer check and failed at listen (METRICS_PORT only after the database had
 * started and the demo had loaded); a metrics port in use crashed the hub with an unhandled
 * 'error' event and left `hub-url` naming a stopped server; CHARITY_CLAIM_WORKING_DAYS was first
 * read by a claim (INTERNAL_SERVER_ERROR); AIDHUB_JOB_LEASE_MS and AIDHUB_DEMO_HOUSEHOLDS took a
 * word silently (the default lease; a demo of no households); LOG_LEVEL and an unreadable
 * AUDIT_SIGNING_KEY_FILE failed with messages naming no variable; AIDHUB_DEMO and AIDHUB_SUBGRAPH
 * were compared with '1' or '0' where used, so AIDHUB_DEMO=no loaded the demo and
 * AIDHUB_SUBGRAPH=true served no subgraph. Each refusal is `error: CODE: …` (README, Configuration),
 * the code stable for a script, as the tools print theirs; it was the bare message, without a code.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CheckpointLog, generateSigningKeyFiles } from '../access/checkpoints';
import { alertDeliveryConfigFromEnv, checkpointConfigFromEnv, ConfigError, demoHouseholdsFromEnv, loadConfig, parseKey } from '../db/config';
import { freePort } from './support/redis';

const ROOT = path.join(__dirname, '..');

let dataRoot: string;
let port: number;

// A locality's files named by a variable: a rule and a trigger set that are not one (the shapes
// are wrong), outside the data folder the checks below expect untouched.
const localityFiles = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-start-config-files-'));
const badRules = path.join(localityFiles, 'rules.json');
const badTriggers = path.join(localityFiles, 'triggers.json');
fs.writeFileSync(badRules, JSON.stringify({ rules: 5 }));
fs.writeFileSync(badTriggers, JSON.stringify({ triggers: 5 }));
/** A village notice shorter than DOMAIN's "at least 5 days": it was taken, and posted. */
const shortNotice = path.join(localityFiles, 'short-notice.json');
fs.writeFileSync(shortNotice, JSON.stringify({ triggers: [], notice: { periodDays: 3 } }));
const notJson = path.join(localityFiles, 'not.json');
fs.writeFileSync(notJson, '{ "rules": [ ');
/**
 * A notice of 1900, the first year counted, joining 元旦 to the December before as notices do: that
 * December lies before every date the hub counts, and the start ended in a RangeError's stack trace,
 * exit code 1, the file's check having let it through.
 */
const notice1900 = path.join(localityFiles, 'notice-1900.json');
fs.writeFileSync(notice1900, JSON.stringify({ notices: [{ year: 1900, holidays: { '1899-12-31': '元旦', '1900-01-01': '元旦' } }] }));

/** The code of the `error: CODE: …` line npm start refused with, on the first line of what it printed; else what it printed. */
function refusalCode(stderr: string): string {
  return /^error: ([A-Z_]+): /.exec(stderr)?.[1] ?? stderr;
}

beforeAll(async () => {
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-start-config-'));
  port = await freePort();
});

afterAll(() => {
  fs.rmSync(dataRoot, { recursive: true, force: true });
  fs.rmSync(localityFiles, { recursive: true, force: true });
});

/** server/main.ts with `env` on a data folder of its own and no DATABASE_URL: what it printed and its exit code. */
function start(env: Record<string, string>) {
  const dataDir = path.join(dataRoot, 'mariadb');
  const base: NodeJS.ProcessEnv = { ...process.env, AIDHUB_DATA_DIR: dataDir, PORT: String(port), NODE_ENV: 'development' };
  for (const name of ['DATABASE_URL', 'AIDHUB_HOLIDAYS_FILE', 'AIDHUB_RULES_FILE', 'AIDHUB_TRIGGERS_FILE', 'METRICS_PORT', 'METRICS_HOST', 'METRICS_TOKEN', 'LOG_LEVEL', 'AUDIT_SIGNING_KEY', 'AUDIT_SIGNING_KEY_FILE', 'AUDIT_CHECKPOINT_FILE', 'AUDIT_CHECKPOINT_ROWS', 'AUDIT_CHECKPOINT_INTERVAL_MS', 'CHARITY_CLAIM_WORKING_DAYS', 'AIDHUB_JOB_LEASE_MS', 'AIDHUB_DEMO_HOUSEHOLDS', 'AIDHUB_DEMO', 'AIDHUB_SUBGRAPH', 'RATE_LIMIT_REDIS_URL', 'AIDHUB_CALLBACK_HOSTS', 'MAX_QUERY_COST_IN_FLIGHT', 'SOURCE_HEALTH_URL', 'AIDHUB_MONITOR_INTERVAL_MS', 'AIDHUB_MONITOR_MONTHLY_REGION', 'AIDHUB_SHUTDOWN_DRAIN_MS', 'AIDHUB_DELIVERY_JITTER', 'AIDHUB_DELIVERY_RETRY_MS', 'MAX_LIST_SIZE', 'HUB_TIMEOUT_MS', 'AIDHUB_ROLE_OFFICES']) delete base[name];
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], { cwd: ROOT, encoding: 'utf8', env: { ...base, ...env }, timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, dataWritten: fs.readdirSync(dataRoot) };
}

it.each([
  ['PORT', '70000', 'OUT_OF_RANGE'],
  ['METRICS_PORT', '65536', 'OUT_OF_RANGE'],
  ['CHARITY_CLAIM_WORKING_DAYS', '0', 'OUT_OF_RANGE'],
  ['AIDHUB_JOB_LEASE_MS', 'thirty seconds', 'MALFORMED_NUMBER'],
  ['AIDHUB_DEMO_HOUSEHOLDS', 'many', 'MALFORMED_NUMBER'],
  ['AIDHUB_DEMO', 'no', 'MALFORMED_SWITCH'],
  ['AIDHUB_SUBGRAPH', 'true', 'MALFORMED_SWITCH'],
  ['LOG_LEVEL', 'verbose', 'UNKNOWN_VALUE'],
  ['AUDIT_SIGNING_KEY_FILE', '/nonexistent/aidhub-signing-key.pem', 'FILE_UNREADABLE'],
  // Taken as given before: ioredis read an http:// URL as a Unix socket's path (limits per process
  // for good), a URL among the callback hosts matched no callback (every push a dead letter), a
  // database URL that is none failed with a stack trace (a department's only after the private
  // server had started), and the monitoring variables were checked only once the private
  // server's own polling interval was set, after it had started.
  ['RATE_LIMIT_REDIS_URL', 'http://127.0.0.1:6379', 'MALFORMED_URL'],
  // A database named otherwise than by a number: ioredis counted `/city2` in database 0 (shared
  // with another city's hub there) and `/3x` in database 3.
  ['RATE_LIMIT_REDIS_URL', 'redis://127.0.0.1:6379/city2', 'MALFORMED_URL'],
  ['RATE_LIMIT_REDIS_URL', 'redis://127.0.0.1:6379/3x', 'MALFORMED_URL'],
  ['AIDHUB_CALLBACK_HOSTS', 'http://127.0.0.1:9300', 'MALFORMED_HOST'],
  // An address the URL parser reads as another (010 is octal: 8.20.0.7) admitted nothing as written.
  ['AIDHUB_CALLBACK_HOSTS', '10.20.0.6,010.20.0.7', 'MALFORMED_HOST'],
  ['MAX_QUERY_COST_IN_FLIGHT', 'lots', 'MALFORMED_NUMBER'],
  ['DATABASE_URL', 'aidhub', 'MALFORMED_URL'],
  ['SOURCE_HEALTH_URL', 'health database', 'MALFORMED_URL'],
  ['AIDHUB_MONITOR_MONTHLY_REGION', 'Jining', 'MALFORMED_DIVISION_CODE'],
  ['AIDHUB_SHUTDOWN_DRAIN_MS', '10s', 'MALFORMED_NUMBER'],
  ['AIDHUB_SHUTDOWN_DRAIN_MS', '3600000', 'OUT_OF_RANGE'],
  // Past a timer's 32-bit limit (about 24.8 days) Node fires after 1 ms: HUB_TIMEOUT_MS=3000000000
  // passed, then every hub statement timed out at once and the start ended in a stack trace, exit
  // 1; a department's timeout so long reported it TIMEOUT on every read, a takeover look ran every millisecond.
  ['HUB_TIMEOUT_MS', '3000000000', 'OUT_OF_RANGE'],
  // Numbers are decimal digits: `Number` read PORT=0x10 as port 16, 1e3 as 1000, +5 and 5.0 as 5.
  ['PORT', '0x10', 'MALFORMED_NUMBER'],
  ['HUB_TIMEOUT_MS', '1e3', 'MALFORMED_NUMBER'],
  ['MAX_LIST_SIZE', '+5', 'MALFORMED_NUMBER'],
  ['CHARITY_CLAIM_WORKING_DAYS', '0x5', 'MALFORMED_NUMBER'],
  ['AIDHUB_DELIVERY_JITTER', '1e-1', 'MALFORMED_NUMBER'],
  // An empty item of the retry list was a delay of 0 ms: a push retried at once in its place.
  ['AIDHUB_DELIVERY_RETRY_MS', '1000,,2000', 'MALFORMED_NUMBER'],
  ['SOURCE_HEALTH_TIMEOUT_MS', '2147483648', 'OUT_OF_RANGE'],
  ['AIDHUB_JOB_TAKEOVER_MS', '3000000000', 'OUT_OF_RANGE'],
  // Read only beside a signing key, which the private server's start generates after its server
  // is up: refused then, with the data directory made and a key written.
  ['AUDIT_CHECKPOINT_ROWS', 'abc', 'MALFORMED_NUMBER'],
  ['AUDIT_CHECKPOINT_INTERVAL_MS', '1m', 'MALFORMED_NUMBER'],
  // A locality's files: a bad rule or trigger file was found only once the private server had
  // started and the databases were made, and ended the start with a stack trace and exit code 1
  // (a holiday file was refused in time, but with exit code 1).
  ['AIDHUB_RULES_FILE', badRules, 'INVALID_RULE_SET'],
  ['AIDHUB_RULES_FILE', '/nonexistent/aidhub-rules.json', 'FILE_UNREADABLE'],
  ['AIDHUB_TRIGGERS_FILE', badTriggers, 'INVALID_TRIGGER_SET'],
  ['AIDHUB_TRIGGERS_FILE', shortNotice, 'INVALID_TRIGGER_SET'],
  ['AIDHUB_HOLIDAYS_FILE', '/nonexistent/aidhub-holidays.json', 'FILE_UNREADABLE'],
  // A department variable naming no department was read by nobody: the department meant stayed on
  // its default (its database beside the hub's, the general timeout, no polling) with nothing said.
  ['SOURCE_HEALTHCARE_URL', 'mysql://health:pw@10.0.0.5:3306/front', 'UNKNOWN_DEPARTMENT'],
  ['SOURCE_CIVIL_TIMEOUT_MS', '5000', 'UNKNOWN_DEPARTMENT'],
  ['AIDHUB_MONITOR_INTERVAL_MS_EDU', '10000', 'UNKNOWN_DEPARTMENT'],
  // Accepted and ignored before: NODE_ENV=prod ran the hub in development mode (stack traces,
  // introspection); a metrics token or host without METRICS_PORT served no metrics at all.
  ['NODE_ENV', 'prod', 'UNKNOWN_VALUE'],
  ['AIDHUB_TRIGGERS_FILE', '/nonexistent/aidhub-triggers.json', 'FILE_UNREADABLE'],
  ['METRICS_TOKEN', 'metrics-secret', 'VARIABLE_REQUIRED'],
  ['METRICS_HOST', '10.0.0.1', 'VARIABLE_REQUIRED'],
  // A locality file that is no JSON, and a holiday notice that is none.
  ['AIDHUB_RULES_FILE', notJson, 'MALFORMED_JSON'],
  ['AIDHUB_TRIGGERS_FILE', notJson, 'MALFORMED_JSON'],
  ['AIDHUB_HOLIDAYS_FILE', notJson, 'MALFORMED_JSON'],
  ['AIDHUB_HOLIDAYS_FILE', badRules, 'INVALID_HOLIDAY_NOTICE'],
  ['AIDHUB_HOLIDAYS_FILE', notice1900, 'INVALID_HOLIDAY_NOTICE'],
  // Which offices may hold a role, as a site widens it (docs/access.md): a role or office it does not know.
  ['AIDHUB_ROLE_OFFICES', 'OVERSEER=CIVIL_AFFAIRS', 'UNKNOWN_ROLE'],
  ['AIDHUB_ROLE_OFFICES', 'SUPERVISOR=POLICE', 'UNKNOWN_DEPARTMENT'],
])('refuses %s=%s before starting anything, naming the variable, with its code (%s)', (name, value, code) => {
  const run = start({ [name]: value });
  // `error: CODE: …` as every tool prints a refusal (it was the bare message): the code for a script.
  expect({ status: run.status, code: refusalCode(run.stderr) }).toEqual({ status: 2, code });
  expect(run.stderr).toContain(name);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout).not.toContain('private database server');
  expect(run.dataWritten).toEqual([]);
}, 90_000);

it.each([
  // A password in a URL is never repeated, whichever variable holds it and whatever is wrong with it.
  ['DATABASE_URL', 'mysql://aidhub:s3cret-pw@127.0.0.1:3306/', 'MALFORMED_URL'],
  ['DATABASE_URL', 'postgres://aidhub:s3cret-pw@127.0.0.1:5432/aidhub', 'MALFORMED_URL'],
  ['SOURCE_HEALTH_URL', 'https://health:s3cret-pw@127.0.0.1:1/front', 'MALFORMED_URL'],
  ['SOURCE_HEALTHCARE_URL', 'mysql://health:s3cret-pw@127.0.0.1:1/front', 'UNKNOWN_DEPARTMENT'],
  ['RATE_LIMIT_REDIS_URL', 'http://:s3cret-pw@127.0.0.1:6379', 'MALFORMED_URL'],
  ['METRICS_TOKEN', 's3cret-pw', 'VARIABLE_REQUIRED'],
  ['AUDIT_SIGNING_KEY', 's3cret-pw', 'MALFORMED_KEY'],
])('refuses %s holding a secret with its code, never printing the secret', (name, value, code) => {
  const run = start({ [name]: value });
  expect({ status: run.status, code: refusalCode(run.stderr) }).toEqual({ status: 2, code });
  expect(run.stderr).toContain(name);
  expect(`${run.stdout}${run.stderr}`).not.toContain('s3cret');
  expect(run.dataWritten).toEqual([]);
}, 90_000);

it.each(['0x10', '1e3', '5.0', '+5', ' 5', '5 ', '0b101', '0o7', '١٢'])('refuses a number setting written %j, as no decimal digits', (value) => {
  for (const name of ['PORT', 'HUB_TIMEOUT_MS', 'AIDHUB_DEMO_HOUSEHOLDS', 'SOURCE_HEALTH_TIMEOUT_MS']) {
    expect(() => (name === 'AIDHUB_DEMO_HOUSEHOLDS' ? demoHouseholdsFromEnv({ [name]: value }) : loadConfig('mysql://127.0.0.1/aidhub', { [name]: value }))).toThrow(new RegExp(`^${name} must be a positive integer in decimal digits`));
  }
  expect(() => loadConfig('mysql://127.0.0.1/aidhub', { CHARITY_CLAIM_WORKING_DAYS: value })).toThrow(/^CHARITY_CLAIM_WORKING_DAYS must be/);
  expect(loadConfig('mysql://127.0.0.1/aidhub', { PORT: '0016', HUB_TIMEOUT_MS: '1000' })).toMatchObject({ port: 16, hubTimeoutMs: 1000 });
});

describe('AIDHUB_DELIVERY_RETRY_MS', () => {
  const schedule = (value: string) => alertDeliveryConfigFromEnv({ AIDHUB_DELIVERY_RETRY_MS: value })?.retryScheduleMs;

  // `Number('')` is 0: a delay deleted by hand, or a trailing comma, retried at once in its place.
  it.each([
    ['1000,,2000', 2, 'is empty'],
    ['1000,2000,', 3, 'is empty'],
    [',1000', 1, 'is empty'],
    ['1000, ,2000', 2, 'is empty'],
    ['1000,-5', 2, 'not decimal digits'],
    ['1000,0x10', 2, 'not decimal digits'],
    ['1e3', 1, 'not decimal digits'],
    ['1000,2.5', 2, 'not decimal digits'],
    ['1000,3000000000', 2, 'is above 2147483647'],
  ])('refuses %j, naming the item (%i) and what is wrong with it', (value, item, what) => {
    expect(() => schedule(value)).toThrow(ConfigError);
    expect(() => schedule(value)).toThrow(new RegExp(`^AIDHUB_DELIVERY_RETRY_MS must be .*; item ${item} of .* ${what}`));
  });

  it('takes decimal milliseconds, spaces around the commas and 0 (at once) among them', () => {
    expect(schedule('1000, 0 ,2000')).toEqual([1000, 0, 2000]);
    expect(schedule('')).toEqual(alertDeliveryConfigFromEnv({})?.retryScheduleMs);
  });
});

describe('an audit checkpoint file signed with another key (a rotated signing key)', () => {
  // Appending a new key's checkpoints to the old key's file made the whole file unusable as
  // evidence: audit:verify checks one file against one key, and stopped at the first line of the
  // other ("signed with another key", exit 2), for the rows before the rotation too.
  const keyFile = (name: string) => {
    const file = path.join(localityFiles, `${name}.pem`);
    if (!fs.existsSync(file)) generateSigningKeyFiles(file, path.join(localityFiles, `${name}.pub.pem`));
    return file;
  };
  const checkpointFile = path.join(localityFiles, 'audit-checkpoints.jsonl');

  beforeAll(async () => {
    const log = new CheckpointLog({ file: checkpointFile, signingKey: parseKey(fs.readFileSync(keyFile('old'), 'utf8')), everyRows: 1, everyMs: 60_000 });
    log.recordRows(1, ['a'.repeat(64)]);
    await log.close();
  });

  it('is refused at start before anything starts, naming AUDIT_CHECKPOINT_FILE', () => {
    const before = fs.readFileSync(checkpointFile, 'utf8');
    const run = start({ AUDIT_SIGNING_KEY_FILE: keyFile('new'), AUDIT_CHECKPOINT_FILE: checkpointFile });
    expect({ status: run.status, code: refusalCode(run.stderr) }).toEqual({ status: 2, code: 'CHECKPOINT_KEY_CHANGED' });
    expect(run.stderr).toContain('AUDIT_CHECKPOINT_FILE');
    expect(run.stderr).toContain('another key');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).not.toContain('private database server');
    expect(run.dataWritten).toEqual([]);
    expect(fs.readFileSync(checkpointFile, 'utf8')).toBe(before);
  }, 90_000);

  it('the same key goes on appending to its file, and a new file begins with a new key', () => {
    expect(checkpointConfigFromEnv({ AUDIT_SIGNING_KEY_FILE: keyFile('old'), AUDIT_CHECKPOINT_FILE: checkpointFile })?.file).toBe(checkpointFile);
    const fresh = path.join(localityFiles, 'audit-checkpoints-new-key.jsonl');
    expect(checkpointConfigFromEnv({ AUDIT_SIGNING_KEY_FILE: keyFile('new'), AUDIT_CHECKPOINT_FILE: fresh })?.file).toBe(fresh);
    expect(() => checkpointConfigFromEnv({ AUDIT_SIGNING_KEY_FILE: keyFile('new'), AUDIT_CHECKPOINT_FILE: checkpointFile })).toThrow(ConfigError);
  });
});

it('refuses a decision limit that is no number of days before starting anything, naming the field', () => {
  const badDecide = path.join(localityFiles, 'decide.json');
  const limit = { acknowledgeWorkingDays: 1, verifyDays: 15 };
  fs.writeFileSync(badDecide, JSON.stringify({ limits: { RED: { ...limit, decideDays: 0 }, ORANGE: limit, YELLOW: limit }, triggers: [] }));
  const run = start({ AIDHUB_TRIGGERS_FILE: badDecide });
  expect({ status: run.status, code: refusalCode(run.stderr) }).toEqual({ status: 2, code: 'INVALID_TRIGGER_SET' });
  expect(run.stderr).toContain('limits.RED.decideDays');
  expect(run.dataWritten).toEqual([]);
}, 90_000);

it('refuses an AIDHUB_DATA_DIR under a file before starting anything, naming the variable', () => {
  // It was Node's ENOTDIR from inside the private server's start, with a stack trace, exit 1.
  const file = path.join(dataRoot, '..', `${path.basename(dataRoot)}-a-file`);
  fs.writeFileSync(file, 'not a directory\n');
  try {
    const run = start({ AIDHUB_DATA_DIR: path.join(file, 'mariadb') });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error: DATA_DIR_UNUSABLE: AIDHUB_DATA_DIR: .* is a file, not a directory/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).not.toContain('private database server');
    expect(run.dataWritten).toEqual([]);
  } finally {
    fs.rmSync(file, { force: true });
  }
}, 90_000);

it('refuses a metrics port in use before starting anything, naming METRICS_PORT', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    const run = start({ METRICS_PORT: String((taken.address() as net.AddressInfo).port) });
    expect({ status: run.status, code: refusalCode(run.stderr) }).toEqual({ status: 2, code: 'PORT_IN_USE' });
    expect(run.stderr).toContain('METRICS_PORT');
    // What tells whether it is another hub's metrics listener: /metrics (it answers /healthz with 404,
    // so the /healthz the message suggested said "not found" of a hub that was there).
    const { port: metricsPort } = taken.address() as net.AddressInfo;
    expect(run.stderr).toContain(`curl -s http://127.0.0.1:${metricsPort}/metrics`);
    expect(run.stderr).not.toContain('/healthz');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).not.toContain('private database server');
    expect(run.dataWritten).toEqual([]);
  } finally {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  }
}, 90_000);

function withoutVariables(names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

it('refuses a data directory beside a running hub’s, leaving that hub’s files as they were', async () => {
  // Another hub's private server, as its hub-url names it: something that answers on that port.
  const other = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-start-beside-'));
  try {
    const theirs = {
      'hub-url': `mysql://root@127.0.0.1:${(other.address() as net.AddressInfo).port}/aidhub\n`,
      'demo-clients.env': 'export AIDHUB_TOKEN_CIVIL_AFFAIRS=ahk_theirs\n',
      'audit-checkpoints.jsonl': '{"seq":1}\n',
    };
    for (const [name, text] of Object.entries(theirs)) fs.writeFileSync(path.join(folder, name), text);
    const before = fs.readdirSync(folder).sort();
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...withoutVariables(['DATABASE_URL', 'METRICS_PORT', 'AUDIT_SIGNING_KEY', 'AUDIT_SIGNING_KEY_FILE', 'AUDIT_CHECKPOINT_FILE']), AIDHUB_DATA_DIR: path.join(folder, 'mariadb-2'), PORT: String(port), NODE_ENV: 'development', AIDHUB_DEMO: '0' },
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('hub-url');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    // Their files untouched, nothing set aside; only this hub's own (stopped) data directory added.
    for (const [name, text] of Object.entries(theirs)) expect(fs.readFileSync(path.join(folder, name), 'utf8')).toBe(text);
    expect(fs.readdirSync(folder).sort()).toEqual([...before, 'mariadb-2'].sort());
  } finally {
    await new Promise<void>((resolve) => other.close(() => resolve()));
    fs.rmSync(folder, { recursive: true, force: true });
  }
}, 90_000);
