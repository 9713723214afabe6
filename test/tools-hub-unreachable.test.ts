/**
 * The tools that find the hub through the hub-url file (`npm run clients`, `subscriptions`,
 * `audit:verify`), run when the hub that wrote it is gone (the file outlives a hub killed with
 * SIGKILL, or one whose data folder was copied): they printed drizzle's wrapper, "Failed query:
 * select … from api_client … params:", and not that the database refused the connection. Now the
 * driver's reason, and that `npm start` is not running there; exit code 1, and 3 for audit:verify,
 * whose 1 says the chain is broken (a database that does not answer is "not checked").
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './support/redis';

const ROOT = path.join(__dirname, '..');
let dataRoot: string;

beforeAll(async () => {
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-tools-unreachable-'));
  // A hub-url naming a port nothing listens on: a private server that is no longer running.
  fs.writeFileSync(path.join(dataRoot, 'hub-url'), `mysql://root@127.0.0.1:${await freePort()}/aidhub\n`);
});

afterAll(() => {
  fs.rmSync(dataRoot, { recursive: true, force: true });
});

it.each([
  ['clients', ['list'], 1],
  ['subscriptions', ['list'], 1],
  ['audit-verify', [], 3],
])('tools/%s.ts says the hub database does not answer, not which statement failed', (tool, args, status) => {
  const env: NodeJS.ProcessEnv = { ...process.env, AIDHUB_DATA_DIR: path.join(dataRoot, 'mariadb') };
  delete env.DATABASE_URL;
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tools', `${tool}.ts`), ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
  expect(run.status).toBe(status);
  expect(run.stderr).toContain('ECONNREFUSED');
  expect(run.stderr).toContain('npm start');
  expect(run.stderr).not.toContain('Failed query');
}, 90_000);
