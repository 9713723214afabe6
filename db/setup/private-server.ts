/**
 * A private MariaDB/MySQL server of the hub's own, started from the binaries installed on this
 * machine. `npm start` and `npm test` use it when they are given no database URL, so the project
 * never depends on (or disturbs) whatever server the machine already runs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { endConnection } from '../connect';

export interface PrivateServer {
  /** `mysql://root@127.0.0.1:PORT/` — no database selected. */
  url: string;
  port: number;
  dataDir: string;
  /** The server process's id (the bench reads its CPU time from /proc). */
  pid: number;
  /** Whether this start made the data directory: a new server, holding nothing of an earlier one. */
  created: boolean;
  /**
   * The port this data directory's server listened on last time, when it was taken by something
   * else and this start had to pick another; null otherwise.
   */
  movedFrom: number | null;
  /**
   * Stops the server. `keepData`: a throwaway server's data directory, its log (server.log)
   * included, stays where it is, for reading why a run failed; removing it is then the caller's.
   */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export class ServerBinaryMissing extends Error {
  override name = 'ServerBinaryMissing';
  /** README, Configuration: `npm start` prints it `error: SERVER_BINARY_MISSING: …`, exit 2. */
  readonly code = 'SERVER_BINARY_MISSING';
}

/**
 * The server did not come up: it exited during start-up (a damaged data directory, a full disk, a
 * port taken at the last moment) or did not accept connections in time. The message says so and
 * ends with its log's last lines; `npm start` prints it without a stack trace (exit code 3).
 */
export class PrivateServerFailed extends Error {
  override name = 'PrivateServerFailed';
}

/** Another live process already serves this data directory (see `claimDataDir`). */
export class DataDirInUse extends Error {
  override name = 'DataDirInUse';
  /** README, Configuration: `npm start` prints it `error: DATA_DIR_IN_USE: …`, exit 2. */
  readonly code = 'DATA_DIR_IN_USE';
}

const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/local/mysql/bin', '/opt/homebrew/bin'];

function which(names: string[]): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...SEARCH_DIRS];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        /* keep looking */
      }
    }
  }
  return null;
}

function findBinaries(): { server: string; installDb: string | null; flavour: 'mariadb' | 'mysql' } {
  const mariadbd = which(['mariadbd']);
  if (mariadbd) return { server: mariadbd, installDb: which(['mariadb-install-db', 'mysql_install_db']), flavour: 'mariadb' };
  const mysqld = which(['mysqld']);
  if (mysqld) {
    const version = spawnSync(mysqld, ['--version'], { encoding: 'utf8' }).stdout ?? '';
    if (/mariadb/i.test(version)) return { server: mysqld, installDb: which(['mariadb-install-db', 'mysql_install_db']), flavour: 'mariadb' };
    return { server: mysqld, installDb: null, flavour: 'mysql' };
  }
  throw new ServerBinaryMissing(
    'No MariaDB or MySQL server binary found (looked for mariadbd and mysqld on PATH and in ' +
      SEARCH_DIRS.join(', ') +
      ').\n  Either give a server URL (DATABASE_URL=mysql://user:pass@host:3306/aidhub), or install one:\n' +
      '    Debian/Ubuntu: sudo apt-get install mariadb-server\n' +
      '    macOS:         brew install mariadb',
  );
}

/** The server binary `startPrivateServer` would run, or null when none is installed. */
export function serverBinary(): string | null {
  try {
    return findBinaries().server;
  } catch (err) {
    if (err instanceof ServerBinaryMissing) return null;
    throw err;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether nothing listens on 127.0.0.1:`port` now. */
async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * Where a server on data the caller named records its port, kept after it stops: the next start on
 * that data listens on the same port while it is free. A new port at every start broke every other
 * process given the first one's URL (a second hub with DATABASE_URL, a department's tool, a
 * database client), with nothing said.
 */
const PORT_FILE = 'aidhub-server-port';

function rememberedPort(dataDir: string): number | null {
  try {
    const n = Number(fs.readFileSync(path.join(dataDir, PORT_FILE), 'utf8').trim());
    return Number.isInteger(n) && n > 0 && n <= 65_535 ? n : null;
  } catch {
    return null;
  }
}

/**
 * Runs a bootstrap command to its end, in a process group of its own as the server is (see
 * launch): a Ctrl-C or a SIGTERM meant for the caller's group killed it halfway through making the
 * data directory. The caller handles such a signal once it is done (at start-up's next step).
 */
async function runOrThrow(cmd: string, args: string[], what: string): Promise<void> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let said = '';
  child.stdout!.on('data', (d: Buffer) => (said += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (said += d.toString('utf8')));
  const status = await new Promise<number | string | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? signal));
  });
  if (status !== 0) throw new Error(`${what} failed (exit ${status}):\n${said}`);
}

/**
 * Makes the server's system tables in `dataDir` unless they are there; whether it made them. The
 * bootstrap's temporary tables go to `tmpDir` (the run directory), not the machine's /tmp, which
 * every other server and test on the machine shares.
 */
async function initialise(dataDir: string, bins: ReturnType<typeof findBinaries>, tmpDir: string): Promise<boolean> {
  if (fs.existsSync(path.join(dataDir, 'mysql'))) return false;
  fs.mkdirSync(dataDir, { recursive: true });
  const user = os.userInfo().username;
  if (bins.flavour === 'mariadb') {
    if (!bins.installDb) throw new ServerBinaryMissing('mariadbd found but mariadb-install-db is missing; install the full mariadb-server package.');
    await runOrThrow(
      bins.installDb,
      ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', `--user=${user}`, `--tmpdir=${tmpDir}`],
      'mariadb-install-db',
    );
  } else {
    // --initialize-insecure makes root@localhost alone, which a TCP connection from 127.0.0.1 is not
    // under --skip-name-resolve (MySQL 9.7 refused the server's own URL, ER_HOST_NOT_PRIVILEGED):
    // root@127.0.0.1 too, with no password, as MariaDB's root is reached.
    const initFile = path.join(tmpDir, 'root-by-address.sql');
    fs.writeFileSync(initFile, "CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY '';\nGRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;\n");
    await runOrThrow(bins.server, ['--no-defaults', '--initialize-insecure', `--datadir=${dataDir}`, `--user=${user}`, `--tmpdir=${tmpDir}`, `--init-file=${initFile}`], 'mysqld --initialize-insecure');
  }
  return true;
}

/**
 * Waits until the server started with `pidFile` accepts connections on `url`. Whatever else answers
 * there does not count: a port taken by another program between its choice and this server's bind
 * may be another database server, even another hub's private one (root without a password, as
 * here), and a start that took it for its own served that hub's data as its own.
 */
async function waitUntilReady(url: string, pidFile: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new PrivateServerFailed(`The private database server (data in ${path.dirname(logFile)}) exited during start-up; the end of its log, ${logFile}:\n${indent(tail(logFile))}`);
    try {
      const conn = await mysql.createConnection({ uri: url, connectTimeout: 1000 });
      let own = false;
      try {
        const [rows] = await conn.query('SELECT @@pid_file AS pidFile');
        // Its run directory's name is unique (mkdtemp); compared by it, a temporary directory behind a
        // symbolic link (macOS's /var) that the server wrote out resolved still matches.
        const reported = String((rows as { pidFile: unknown }[])[0]?.pidFile ?? '');
        own = reported === pidFile || reported.endsWith(path.join(path.basename(path.dirname(pidFile)), path.basename(pidFile)));
      } finally {
        await endConnection(conn);
      }
      if (own) return;
      throw new Error('another server answers on this port');
    } catch (err) {
      if (Date.now() > deadline) throw new PrivateServerFailed(`The private database server (data in ${path.dirname(logFile)}) did not accept connections within ${timeoutMs} ms (${(err as Error).message}); the end of its log, ${logFile}:\n${indent(tail(logFile))}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

function indent(text: string): string {
  return text.split('\n').map((line) => `  ${line}`).join('\n');
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Where the server's process id is written in its run directory, for the watchdog. */
const SERVER_PID_FILE = 'aidhub-server.pid';

/**
 * The server stops when this process is gone, however it went: a small shell outside this
 * process's group checks once a second that it still runs, and otherwise sends the server (whose
 * pid it reads from the run directory) SIGTERM, and SIGKILL if it is still there 20 s later.
 * Without it a hub or a bench killed with SIGKILL leaves its server running, holding the data
 * directory's lock, and the next start fails. Once the server is gone it removes the run directory
 * (a temporary one, always ours) and, for a throwaway server, the data directory, which
 * `startThrowawayServer` made itself: a killed test run left both under /tmp. A zombie counts as
 * gone: an orphan's new parent may never reap it (some containers' init). Started before the
 * server, so a kill during the database's initialisation leaves nothing behind either; the caller
 * kills it once the server has exited (cleaning up is then the caller's).
 */
function outliveNot(runDir: string, throwawayDataDir: string | null): ChildProcess {
  const script = [
    'alive() { kill -0 "$1" 2>/dev/null || return 1; [ -r "/proc/$1/stat" ] || return 0; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; case "${s##*) }" in Z*) return 1;; esac; }',
    'while alive "$1"; do sleep 1; done',
    `server=$(cat "$2/${SERVER_PID_FILE}" 2>/dev/null)`,
    'if [ -n "$server" ]; then',
    '  kill -TERM "$server" 2>/dev/null; waited=0',
    '  while alive "$server"; do waited=$((waited + 1)); [ "$waited" -eq 20 ] && kill -KILL "$server" 2>/dev/null; sleep 1; done',
    'fi',
    'rm -rf "$2"',
    '[ -z "$3" ] || rm -rf "$3"',
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script, 'aidhub-watchdog', String(process.pid), runDir, throwawayDataDir ?? ''], {
    stdio: 'ignore',
    detached: true,
  });
  watchdog.unref();
  return watchdog;
}

/** Who serves a data directory: written next to the data while a server runs, removed when it stops. */
interface DataDirOwner {
  /** The process that started the server (`npm start`, a bench, a test run). */
  owner: number;
  /** The database server's own process. */
  server: number;
  port: number;
  startedAt: string;
  command: string;
}

const OWNER_FILE = 'aidhub-server.json';

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie answers signal 0 but runs nothing: a server whose hub was killed is reparented, and
  // stays one where the first process does not reap (some containers' init).
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * A second server on the same data directory would wait about 25 s for InnoDB's file lock and die
 * with a stack trace. Checked first instead: if the directory's recorded owner or server still
 * runs, say which and where, at once. A record left by a process that is gone is ignored.
 */
function checkDataDirFree(dataDir: string): void {
  let owner: DataDirOwner;
  try {
    owner = JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_FILE), 'utf8')) as DataDirOwner;
  } catch {
    const server = serverOnDataDir(dataDir);
    if (server !== null) {
      throw new DataDirInUse(`The database in ${dataDir} is already in use by a database server (process ${server}).\n  Stop it first (kill ${server}), or give this hub its own data: AIDHUB_DATA_DIR=… or DATABASE_URL=….`);
    }
    return;
  }
  if (!running(owner.server) && !running(owner.owner)) return;
  throw new DataDirInUse(
    `The database in ${dataDir} is already in use: ${owner.command} (process ${owner.owner}, started ${owner.startedAt}) ` +
      `runs a database server on it (process ${owner.server}, port ${owner.port}).\n` +
      `  Use that hub, stop it first (Ctrl-C in its terminal, or kill ${owner.owner}), or give this one its own data: AIDHUB_DATA_DIR=… or DATABASE_URL=….`,
  );
}

/** On Linux, a server process started on `dataDir` without our record (an older hub, by hand). */
export function serverOnDataDir(dataDir: string): number | null {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(`--datadir=${dataDir}`)) return Number(entry);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return null;
}

/**
 * MySQL 8's default sql_mode (TiDB's holds the same checks), which every private server runs in:
 * the tests' (test/support/global-setup.ts) and `npm start`'s, so the demo runs what is tested.
 * MariaDB 10.11's own default lacks ONLY_FULL_GROUP_BY, NO_ZERO_IN_DATE and NO_ZERO_DATE: a query
 * grouping by less than it selects ran on the test server and was refused on MySQL 8 and TiDB, and
 * `npm start`'s server, left in MariaDB's mode, ran statements the tests' refuse. MariaDB's
 * ONLY_FULL_GROUP_BY is the stricter (it knows no functional dependence on a key), so what passes
 * here passes there. A caller's serverArgs come after it and may set another.
 */
export const MYSQL8_SQL_MODE = 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

export interface StartOptions {
  /** Where the data lives; reused when it already holds a database. */
  dataDir: string;
  /** TCP port; a free one is picked when omitted (and another if it is taken before the server binds it). */
  port?: number;
  /** Durability traded for speed: for throwaway test servers. */
  ephemeral?: boolean;
  /**
   * Picks a free port, when `port` is omitted (freePort by default). A test gives one that hands out
   * a port it then takes, as another program may between the choice and the server's bind.
   */
  pickPort?: () => Promise<number>;
  /** Server options after the hub's own (a later option wins): a test's server set up as a site's might be. */
  serverArgs?: readonly string[];
  /**
   * A throwaway server that exits on its own (a crash, a kill by another process) leaves its data
   * directory and log behind, rather than taking them with it: the bench's, whose log then tells why.
   */
  keepDataWhenItDies?: boolean;
}

/**
 * Ports tried, when the caller named none, before a start whose port was taken each time between
 * being found free and being bound (by another program, or another hub starting at the same
 * moment) is given up: the server then exits during start-up with "Address already in use".
 */
export const PORT_ATTEMPTS = 5;

/** The server could not bind its port: another program took it after it was found free. */
class PortTaken extends PrivateServerFailed {}

/** A server on data the caller names (`npm start`'s .data, AIDHUB_DATA_DIR, a bench's): the data stays when it stops. */
export async function startPrivateServer(opts: StartOptions): Promise<PrivateServer> {
  return start({ ...opts, dataDir: path.resolve(opts.dataDir) }, false);
}

/**
 * A server for one run (the test suite's): its data in a new temporary directory named by
 * `prefix`, removed once the server has stopped, whether by `stop()`, on its own, or because this
 * process died (the watchdog, `outliveNot`). It takes no directory from the caller, so no
 * directory a user named is ever removed. Always ephemeral.
 */
export async function startThrowawayServer(
  opts: { prefix?: string; port?: number; serverArgs?: readonly string[]; keepDataWhenItDies?: boolean } = {},
): Promise<PrivateServer> {
  findBinaries(); // no directory is made when there is no server to run
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), opts.prefix ?? 'aidhub-throwaway-db-'));
  return start({ dataDir, port: opts.port, ephemeral: true, serverArgs: opts.serverArgs, keepDataWhenItDies: opts.keepDataWhenItDies }, true);
}

async function start(opts: StartOptions, throwaway: boolean): Promise<PrivateServer> {
  const bins = findBinaries();
  const { dataDir } = opts;
  checkDataDirFree(dataDir);
  const pick = opts.pickPort ?? freePort;
  let created: boolean | null = null;
  // The port of the last start on this data, while it is free (never a throwaway server's: its data is new).
  const remembered = throwaway || opts.port !== undefined ? null : rememberedPort(dataDir);
  for (let attempt = 1; ; attempt++) {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-db-run-'));
    const watchdog = outliveNot(runDir, throwaway ? dataDir : null);
    let port: number;
    try {
      created ??= await initialise(dataDir, bins, runDir);
      if (opts.port !== undefined) port = opts.port;
      else if (attempt === 1 && remembered !== null && (await portFree(remembered))) port = remembered;
      else port = await pick();
    } catch (err) {
      watchdog.kill();
      fs.rmSync(runDir, { recursive: true, force: true });
      if (throwaway) fs.rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
    try {
      const server = await launch({ ...opts, port }, bins, runDir, watchdog, throwaway, created);
      return { ...server, movedFrom: remembered !== null && port !== remembered ? remembered : null };
    } catch (err) {
      // Taken between the choice and the bind: another port, unless the caller named this one.
      if (err instanceof PortTaken && opts.port === undefined && attempt < PORT_ATTEMPTS) continue;
      if (throwaway) fs.rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  }
}

/**
 * Runs the server on `opts.port` with `runDir` (its socket and pid file) until it accepts
 * connections. A start that fails stops it (the run directory goes with it); one that failed
 * because its port was taken is PortTaken. The data directory is left to the caller.
 */
async function launch(
  opts: StartOptions & { port: number },
  bins: ReturnType<typeof findBinaries>,
  runDir: string,
  watchdog: ChildProcess,
  throwaway: boolean,
  created: boolean,
): Promise<Omit<PrivateServer, 'movedFrom'>> {
  const { dataDir, port } = opts;
  const removeThrowaway = () => throwaway && fs.rmSync(dataDir, { recursive: true, force: true });
  const logFile = path.join(dataDir, 'server.log');
  // The server appends to its log: what this start wrote begins here.
  let logStart = 0;
  try {
    logStart = fs.statSync(logFile).size;
  } catch {
    /* no log yet */
  }
  const pidFile = path.join(runDir, 'mysqld.pid');
  const args = [
    '--no-defaults',
    `--datadir=${dataDir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${path.join(runDir, 'mysqld.sock')}`,
    `--pid-file=${pidFile}`,
    // Its temporary files (sorts, temporary tables) with its socket: its own, gone with the run directory.
    `--tmpdir=${runDir}`,
    `--log-error=${logFile}`,
    `--user=${os.userInfo().username}`,
    '--skip-name-resolve',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    '--max-connections=500',
    '--innodb-buffer-pool-size=512M',
    '--local-infile=1',
    `--sql-mode=${MYSQL8_SQL_MODE}`,
  ];
  // --secure-file-priv: Debian's MySQL build defaults it to /var/lib/mysql-files, the mysql user's
  // (or, where only the server binaries are installed, missing), and refused to start without it.
  // Nothing here reads or writes server-side files: the run directory, the server's own.
  if (bins.flavour === 'mysql') args.push('--mysqlx=OFF', `--secure-file-priv=${runDir}`);
  if (opts.ephemeral) {
    args.push('--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0', '--skip-log-bin', '--sync-binlog=0');
  }
  args.push(...(opts.serverArgs ?? []));
  // In a process group (and session) of its own: a signal meant for the process that started it
  // is not the server's. `kill -TERM -- -PGID`, supervisord's stopasgroup or a terminal's Ctrl-C
  // (SIGINT, which mariadbd ignores; SIGTERM it does not) reach the whole group, and a server in
  // the hub's group shut down at once while the hub's own stop still wrote to it: the last signed
  // case-seal checkpoint, the audit rows, the requests served during a drain. The caller stops it
  // with stop(), after what needs it; a caller that dies without doing so is outlived by the
  // watchdog (outliveNot), which stops it then. systemd's default KillMode=control-group signals
  // every process of the unit whatever its group: docs/operations.md, "Stopping", says what to set.
  const child = spawn(bins.server, args, { stdio: 'ignore', detached: true });
  fs.writeFileSync(path.join(runDir, SERVER_PID_FILE), `${child.pid ?? ''}\n`);
  const ownerFile = path.join(dataDir, OWNER_FILE);
  const record: DataDirOwner = { owner: process.pid, server: child.pid ?? 0, port, startedAt: new Date().toISOString(), command: process.env.npm_lifecycle_event ? `npm run ${process.env.npm_lifecycle_event}` : path.basename(process.argv[1] ?? 'node') };
  fs.writeFileSync(ownerFile, JSON.stringify(record) + '\n');
  let ready = false;
  let stopped: Promise<void> | null = null;
  let keepData = false;
  // Whoever stopped it (stop(), a crash, a signal): cleaning up is ours from here, not the watchdog's.
  // A throwaway server that never got ready keeps its log until start-up has reported it, below;
  // one stopped with keepData, or one that died on its own when asked to keep it then, keeps it.
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      watchdog.kill();
      fs.rmSync(ownerFile, { force: true });
      fs.rmSync(runDir, { recursive: true, force: true });
      if (stopped === null && opts.keepDataWhenItDies) keepData = true;
      if (ready && !keepData) removeThrowaway();
      resolve();
    }),
  );
  const stop = (how: { keepData?: boolean } = {}) =>
    (stopped ??= (async () => {
      keepData ||= how.keepData === true;
      let kill: NodeJS.Timeout | undefined;
      if (child.exitCode === null && child.signalCode === null) {
        kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.kill('SIGTERM');
      }
      await exited;
      clearTimeout(kill);
    })());
  const url = `mysql://root@127.0.0.1:${port}/`;
  try {
    await waitUntilReady(url, pidFile, child, logFile, 60_000);
  } catch (err) {
    await stop();
    if (/Address already in use|Bind on TCP\/IP port|errno: 98\b|error: 98\b/i.test(logSince(logFile, logStart))) {
      throw new PortTaken(`Port ${port} on 127.0.0.1 was taken by another program before the private database server could listen on it`);
    }
    throw err;
  }
  ready = true;
  if (!throwaway) fs.writeFileSync(path.join(dataDir, PORT_FILE), `${port}\n`);
  return { url, port, dataDir, pid: child.pid ?? 0, created, stop };
}

/** What the log gained from byte `from` on. */
function logSince(file: string, from: number): string {
  try {
    return fs.readFileSync(file).subarray(from).toString('utf8');
  } catch {
    return '';
  }
}
