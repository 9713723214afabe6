/**
 * Relative paths in `npm start`'s configuration are taken from the directory the user typed the
 * command in (domain/user-path.ts), as for any command: npm runs the script in the checkout, and
 * they were taken from there. Started as `npm --prefix <checkout> start` from a directory of its own,
 * with every path-valued variable relative, the hub finds its files there and keeps its private
 * server's data there; `npm run clients` run from the same directory with the same AIDHUB_DATA_DIR
 * finds the running hub.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKeyFiles } from '../access/checkpoints';
import { shownPath, userPath } from '../domain/user-path';
import { freePort } from './support/redis';
import { spawnNpmStart, type NpmStart } from './support/hub-process';
import { removeCheckpointLocks } from './support/checkpoint-locks';
import { statutoryHolidays } from '../domain/cases/statutory-holidays';

const ROOT = path.join(__dirname, '..');

let here: string;
/** A name that, taken from the checkout instead, would land in it: removed there too, should it. */
let dataName: string;
let started: NpmStart | null = null;

beforeAll(() => {
  here = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-start-paths-'));
  dataName = `aidhub-test-${path.basename(here)}`;
  fs.copyFileSync(path.join(ROOT, 'rules', 'default.json'), path.join(here, 'rules-local.json'));
  fs.copyFileSync(path.join(ROOT, 'rules', 'triggers.json'), path.join(here, 'triggers-local.json'));
  const notice = { year: 2027, basis: '国务院办公厅关于2027年部分节假日安排的通知（示例）', holidays: Object.fromEntries(statutoryHolidays(2027)), workdays: {} }; // every day the law fixes: a notice lists them all
  fs.writeFileSync(path.join(here, 'holidays-local.json'), JSON.stringify({ notices: [notice] }));
  fs.mkdirSync(path.join(here, 'keys'));
  generateSigningKeyFiles(path.join(here, 'keys', 'sign.pem'), path.join(here, 'keys', 'verify.pem'));
});

afterAll(async () => {
  if (started && started.child.exitCode === null && started.child.signalCode === null) {
    started.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([started.closed, new Promise((r) => (timer = setTimeout(r, 60_000)))]);
    clearTimeout(timer);
    if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGKILL');
    await started.closed;
  }
  // The lock of a hub killed above (after a failure), left in os.tmpdir().
  removeCheckpointLocks([path.join(here, 'audit', 'checkpoints.jsonl')]);
  fs.rmSync(here, { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, dataName), { recursive: true, force: true });
});

it('takes every relative path from where `npm start` was typed, not from the checkout', async () => {
  const port = await freePort();
  const env = {
    AIDHUB_DATA_DIR: path.join(dataName, 'mariadb'),
    AIDHUB_DEMO: '0',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    AIDHUB_RULES_FILE: 'rules-local.json',
    AIDHUB_TRIGGERS_FILE: 'triggers-local.json',
    AIDHUB_HOLIDAYS_FILE: 'holidays-local.json',
    AUDIT_SIGNING_KEY_FILE: path.join('keys', 'sign.pem'),
    AUDIT_CHECKPOINT_FILE: path.join('audit', 'checkpoints.jsonl'),
  };
  started = spawnNpmStart(env, here);
  const child = started.child;
  const deadline = Date.now() + 180_000;
  while (!started.output().includes('AidHub is listening')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start ended (${child.exitCode ?? child.signalCode}) before listening:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start did not listen:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  // The private server's data, hub-url beside it, and the checkpoint file's folder: all here.
  expect(fs.existsSync(path.join(here, dataName, 'mariadb'))).toBe(true);
  expect(fs.existsSync(path.join(here, dataName, 'hub-url'))).toBe(true);
  expect(fs.existsSync(path.join(here, 'audit'))).toBe(true);
  expect(fs.existsSync(path.join(ROOT, dataName))).toBe(false);
  expect(fs.existsSync(path.join(ROOT, 'audit'))).toBe(false);
  // Said as the user would type it from here.
  expect(started.output()).toContain(`data in ${path.join(dataName, 'mariadb')}`);

  const clients = spawnSync('npm', ['--prefix', ROOT, 'run', '--silent', 'clients', '--', 'list'], {
    cwd: here,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AIDHUB_DATA_DIR: env.AIDHUB_DATA_DIR, npm_config_update_notifier: 'false' },
    timeout: 120_000,
  });
  expect({ status: clients.status, stderr: clients.stderr }).toEqual({ status: 0, stderr: '' });
  expect(clients.stdout).toContain('no clients');
}, 300_000);

it('takes a relative path from INIT_CWD when npm set it, else from the process\'s directory, and keeps an absolute one', () => {
  expect(userPath('x/y.json', { INIT_CWD: '/srv/site' })).toBe('/srv/site/x/y.json');
  expect(userPath('/etc/aidhub/y.json', { INIT_CWD: '/srv/site' })).toBe('/etc/aidhub/y.json');
  expect(userPath('x', {})).toBe(path.join(process.cwd(), 'x'));
  expect(shownPath('/srv/site/data/hub-url', { INIT_CWD: '/srv/site' })).toBe(path.join('data', 'hub-url'));
  expect(shownPath('/opt/aidhub/.data/hub-url', { INIT_CWD: '/srv/site' })).toBe('/opt/aidhub/.data/hub-url');
});
