/**
 * `npm start` with a DATABASE_URL it cannot use, as an operator meets it: the hub's own process
 * (server/main.ts) against a port nothing listens on, and against the private test server with a
 * wrong password and with a user that may not create the database it names. Each ends with one
 * line naming DATABASE_URL and what is wrong, the password never repeated, no stack trace, exit
 * code 3 (4 for a user lacking a right the hub needs, which no retry mends). Before, each printed
 * mysql2's error object with its stack and exited 1.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { dropDatabases, ensureDatabase, provisionHub } from '../db/setup/provision';
import { binlogProblem } from '../db/setup/binlog';
import { startThrowawayServer, type PrivateServer } from '../db/setup/private-server';
import { sourceUrls } from '../db/config';
import { testServerUrl } from './support/databases';
import { freePort } from './support/redis';
import { startHubProcess } from './support/hub-process';

const ROOT = path.join(__dirname, '..');
const PASSWORD = 'n0t-the-Password';

let dataRoot: string;
let port: number;

beforeAll(async () => {
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-start-db-'));
  port = await freePort();
});

afterAll(() => {
  fs.rmSync(dataRoot, { recursive: true, force: true });
});

/** server/main.ts with DATABASE_URL: what it printed and its exit code. */
function start(databaseUrl: string | null, env: NodeJS.ProcessEnv = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, AIDHUB_DATA_DIR: path.join(dataRoot, 'mariadb'), PORT: String(port), NODE_ENV: 'development' };
  if (databaseUrl === null) delete base.DATABASE_URL;
  else base.DATABASE_URL = databaseUrl;
  for (const name of ['METRICS_PORT', 'LOG_LEVEL', 'AUDIT_SIGNING_KEY', 'AUDIT_SIGNING_KEY_FILE', 'AIDHUB_DEMO', 'RATE_LIMIT_REDIS_URL', 'AIDHUB_CALLBACK_HOSTS', 'AIDHUB_MONITOR_INTERVAL_MS', 'AIDHUB_MONITOR_MONTHLY_REGION']) delete base[name];
  for (const name of Object.keys(base)) if (/^SOURCE_\w+_URL$/.test(name)) delete base[name];
  Object.assign(base, env);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], { cwd: ROOT, encoding: 'utf8', env: base, timeout: 90_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** One line naming the variable; a value to correct (exit 2) is `error: CODE: …` (README, Configuration). */
function expectOneLine(run: ReturnType<typeof start>, reason: RegExp, variable = 'DATABASE_URL', status = 3, code?: string): void {
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status, stderr: expect.stringMatching(reason) });
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr.startsWith(`${code ? `error: ${code}: ` : ''}${variable} (mysql://`)).toBe(true);
  expect(run.stderr).not.toContain(PASSWORD);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout).not.toContain('AidHub is listening');
}

it('names DATABASE_URL when nothing listens at its port', async () => {
  const closed = await freePort();
  expectOneLine(start(`mysql://aidhub:${PASSWORD}@127.0.0.1:${closed}/aidhub`), new RegExp(`nothing listens at 127\\.0\\.0\\.1:${closed}`));
}, 120_000);

it('says the private database server did not start, with its log, when its data directory is damaged', () => {
  // A data directory whose system tables are there but whose InnoDB files are not: the server
  // exits at once. It was "Error: database server exited …" with a stack trace, exit 1.
  const dataDir = path.join(dataRoot, 'damaged', 'mariadb');
  fs.mkdirSync(path.join(dataDir, 'mysql'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'ibdata1'), 'not an InnoDB system tablespace\n');
  const run = start(null, { AIDHUB_DATA_DIR: dataDir, AIDHUB_DEMO_HOUSEHOLDS: '10' });
  expect(run.status).toBe(3);
  expect(run.stderr).toMatch(/^The private database server \(data in .*\) exited during start-up; the end of its log, .*server\.log:\n/);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout).not.toContain('AidHub is listening');
}, 120_000);

describe('against a real server', () => {
  const user = `aidhub_nopriv_${crypto.randomBytes(3).toString('hex')}`;
  const userPassword = crypto.randomBytes(9).toString('hex');
  let admin: mysql.Connection;
  let server: URL;

  beforeAll(async () => {
    server = new URL(testServerUrl());
    server.pathname = '/';
    admin = await mysql.createConnection({ uri: server.toString() });
    // A user with no rights at all: it may connect, and create no database.
    await admin.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, userPassword]);
    await admin.query(`CREATE USER ?@'localhost' IDENTIFIED BY ?`, [user, userPassword]);
  });

  afterAll(async () => {
    await admin?.query(`DROP USER IF EXISTS ?@'%'`, [user]);
    await admin?.query(`DROP USER IF EXISTS ?@'localhost'`, [user]);
    await admin?.end();
  });

  it('names DATABASE_URL when the server refuses the password, without repeating it', () => {
    const url = new URL(server);
    url.username = user;
    url.password = PASSWORD;
    url.pathname = '/aidhub_unusable';
    expectOneLine(start(url.toString()), new RegExp(`refused user '${user}' with the password given`));
  }, 120_000);

  it('names DATABASE_URL and the database when it is missing and the user may not create it', () => {
    const url = new URL(server);
    url.username = user;
    url.password = userPassword;
    url.pathname = '/aidhub_nowhere';
    const run = start(url.toString());
    expectOneLine(run, /may not use or create the database 'aidhub_nowhere'/);
    expect(run.stderr).not.toContain(userPassword);
  }, 120_000);

  /** A hub database, migrated by its owner, on which `rights` are granted to the user; dropped after `work`. */
  async function withGranted(name: string, rights: string, work: (url: URL, database: string) => Promise<void>): Promise<void> {
    const database = `${name}_${process.env.JEST_WORKER_ID ?? '0'}`;
    const owner = new URL(server);
    owner.pathname = `/${database}`;
    await dropDatabases([owner.toString()]);
    await provisionHub(owner.toString());
    for (const host of ['%', 'localhost']) await admin.query(`GRANT ${rights} ON ${mysql.escapeId(database)}.* TO ?@?`, [user, host]);
    try {
      const url = new URL(server);
      url.username = user;
      url.password = userPassword;
      url.pathname = `/${database}`;
      await work(url, database);
    } finally {
      for (const host of ['%', 'localhost']) await admin.query(`REVOKE ALL PRIVILEGES ON ${mysql.escapeId(database)}.* FROM ?@?`, [user, host]).catch(() => undefined);
      await dropDatabases([owner.toString()]);
    }
  }

  it('names DATABASE_URL, the rights missing and the grant to give, exit 4, when the user may not write the hub database', async () => {
    // The user may read the hub database and create in it (so the start's CREATE DATABASE IF NOT
    // EXISTS passes) but not write rows nor migrate. It was found only at the programme catalogue's
    // insert, after the migrations (drizzle's error with the statement, its values and a stack
    // trace, exit 1; later one line, exit 3 as for a server not up yet, which a retry does not mend).
    await withGranted('aidhub_readonly', 'SELECT, CREATE', async (url, database) => {
      const run = start(url.toString());
      expectOneLine(run, new RegExp(`user '${user}' lacks INSERT, UPDATE, ALTER, INDEX, REFERENCES on the database '${database}' .*; grant it SELECT, INSERT, UPDATE, CREATE, ALTER, INDEX, REFERENCES ON \`${database}\`\.\*`), 'DATABASE_URL', 4);
      expect(run.stderr).not.toContain('DELETE,');
      expect(run.stderr).not.toContain(userPassword);
    });
  }, 180_000);

  it('starts and serves with exactly the rights it asks for, DELETE not among them', async () => {
    await withGranted('aidhub_rights', 'SELECT, INSERT, UPDATE, CREATE, ALTER, INDEX, REFERENCES', async (url) => {
      const hub = await startHubProcess(url.toString());
      try {
        expect((await fetch(`${hub.url}/readyz`)).status).toBe(200);
      } finally {
        hub.child.kill('SIGTERM');
        await hub.closed;
      }
      expect(hub.child.exitCode).toBe(0);
    });
  }, 180_000);

  it('starts when its rights come from a role, which information_schema does not list', async () => {
    // The check refuses only a right certainly missing: a role's rights are the server's to weigh.
    const role = `aidhub_role_${crypto.randomBytes(3).toString('hex')}`;
    await withGranted('aidhub_by_role', 'SELECT', async (url, database) => {
      await admin.query(`CREATE ROLE ${role}`);
      try {
        await admin.query(`GRANT SELECT, INSERT, UPDATE, CREATE, ALTER, INDEX, REFERENCES ON ${mysql.escapeId(database)}.* TO ${role}`);
        for (const host of ['%', 'localhost']) {
          await admin.query(`GRANT ${role} TO ?@?`, [user, host]);
          // MariaDB's syntax, then MySQL 8's.
          await admin.query(`SET DEFAULT ROLE ${role} FOR ?@?`, [user, host]).catch(() => admin.query(`SET DEFAULT ROLE ${role} TO ?@?`, [user, host]));
        }
        const hub = await startHubProcess(url.toString());
        hub.child.kill('SIGTERM');
        await hub.closed;
        expect(hub.child.exitCode).toBe(0);
      } finally {
        for (const host of ['%', 'localhost']) await admin.query(`SET DEFAULT ROLE NONE FOR ?@?`, [user, host]).catch(() => admin.query(`SET DEFAULT ROLE NONE TO ?@?`, [user, host]).catch(() => undefined));
        await admin.query(`DROP ROLE ${role}`);
      }
    });
  }, 180_000);

  it('with AIDHUB_DEMO=1, names the SOURCE_*_URL nothing listens at', async () => {
    // The demo creates every department's database, so one it cannot reach ends the start (without
    // the demo a department that does not answer is only marked unavailable). It was a stack trace.
    const database = `aidhub_demo_src_${process.env.JEST_WORKER_ID ?? '0'}`;
    const hubUrl = new URL(server);
    hubUrl.pathname = `/${database}`;
    const closed = await freePort();
    const sourceUrl = `mysql://health:${PASSWORD}@127.0.0.1:${closed}/health_front`;
    try {
      const run = start(hubUrl.toString(), { AIDHUB_DEMO: '1', AIDHUB_DEMO_HOUSEHOLDS: '10', SOURCE_HEALTH_URL: sourceUrl });
      expectOneLine(run, new RegExp(`nothing listens at 127\\.0\\.0\\.1:${closed}`), 'SOURCE_HEALTH_URL');
    } finally {
      await dropDatabases([hubUrl.toString(), ...Object.values(sourceUrls(hubUrl.toString(), {}))]);
    }
  }, 180_000);
});

describe('on a server whose binary log is in STATEMENT format', () => {
  // Every write that takes a row lock runs at READ COMMITTED (db/locking.ts), which such a server
  // refuses for InnoDB rows (error 1665): the hub started, then failed its first case decision,
  // pledge or ledger entry. The start now says so, exit 2, naming the setting to change.
  let binlogged: PrivateServer;
  beforeAll(async () => {
    binlogged = await startThrowawayServer({ prefix: 'aidhub-binlog-db-', serverArgs: ['--log-bin=aidhub-bin', '--server-id=1', '--binlog-format=STATEMENT'] });
  }, 120_000);
  afterAll(async () => {
    await binlogged?.stop();
  });
  const urlOf = (database: string) => `mysql://root@127.0.0.1:${binlogged.port}/${database}`;

  it('refuses a locking read at READ COMMITTED, which is why the start checks it', async () => {
    const url = urlOf('aidhub_binlog_probe');
    await ensureDatabase(url);
    const conn = await mysql.createConnection({ uri: url });
    try {
      await conn.query('CREATE TABLE t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB');
      await conn.query('INSERT INTO t VALUES (1, 0)');
      await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await conn.beginTransaction();
      // Already the lock: the row it locks would be logged by statement.
      await expect(conn.query('SELECT n FROM t WHERE id = 1 FOR UPDATE')).rejects.toThrow(/BINLOG_FORMAT = STATEMENT/);
      await conn.rollback();
    } finally {
      await conn.end();
    }
  });

  it('ends the start with one line naming DATABASE_URL and binlog_format, exit 2', () => {
    expectOneLine(start(urlOf('aidhub_binlog')), /its binary log is in STATEMENT format.*set binlog_format to ROW or MIXED/, 'DATABASE_URL', 2, 'BINLOG_UNSUITABLE');
  }, 120_000);

  it('finds nothing to change once the format is ROW or MIXED', async () => {
    const admin = await mysql.createConnection({ uri: urlOf('') });
    try {
      for (const format of ['ROW', 'MIXED']) {
        await admin.query(`SET GLOBAL binlog_format = '${format}'`);
        expect(await binlogProblem(urlOf('aidhub_binlog'))).toBeNull();
      }
      await admin.query(`SET GLOBAL binlog_format = 'STATEMENT'`);
      expect(await binlogProblem(urlOf('aidhub_binlog'))).toMatch(/STATEMENT format/);
    } finally {
      await admin.end();
    }
  });
});
