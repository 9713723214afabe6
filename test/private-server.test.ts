/**
 * A private server does not outlive the process that started it, even one killed with SIGKILL
 * (which no exit handler sees): otherwise it keeps the data directory locked and the next
 * `npm start` on that directory fails. What it leaves under /tmp goes with it: its run directory
 * (socket, pid file) always, and a throwaway server's data directory (the test suite's: a killed
 * `npm test` never runs globalTeardown); a data directory the caller named stays.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { DataDirInUse, freePort, PrivateServerFailed, startPrivateServer, startThrowawayServer } from '../db/setup/private-server';
import { alive } from './support/process-tree';
import { until } from './support/until';

/** The pid of the server started with this data directory, from its command line. */
function serverPid(dataDir: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(`--datadir=${dataDir}`)) return Number(entry);
    } catch {
      /* gone meanwhile */
    }
  }
  return null;
}

/** The server's run directory (socket, pid file), from its command line. */
function runDirOf(pid: number): string {
  const socket = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').find((a) => a.startsWith('--socket='));
  return path.dirname(socket!.slice('--socket='.length));
}

/**
 * A Node process that runs `code` (with tsx, so it may require the project's .ts files) and
 * prints one line of JSON once its server is ready: the line, and the process, to kill.
 */
async function ownerProcess(code: string, env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, ['-e', `require('tsx/cjs'); ${code}`], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const line = await new Promise<{ dataDir: string }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]) as { dataDir: string });
    });
    child.once('exit', (code) => reject(new Error(`the owner exited (${code}) before its server was ready`)));
  });
  return { child, closed, line };
}

it('stops the server within seconds of its parent being killed with SIGKILL, and keeps the data directory it was given', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-orphan-'));
  const script = `require(${JSON.stringify(path.join(__dirname, '../db/setup/private-server.ts'))})
    .startPrivateServer({ dataDir: ${JSON.stringify(dataDir)}, ephemeral: true })
    .then((s) => { console.log(JSON.stringify({ dataDir: s.dataDir })); setInterval(() => {}, 1000); });`;
  let owner: Awaited<ReturnType<typeof ownerProcess>> | undefined;
  try {
    owner = await ownerProcess(script);
    const pid = serverPid(dataDir);
    expect(pid).not.toBeNull();
    expect(alive(pid!)).toBe(true);
    const runDir = runDirOf(pid!);
    owner.child.kill('SIGKILL');
    await until('the server stopped', async () => alive(pid!), (running) => !running, 20_000);
    // The watchdog's last step, removing the run directory, done: the named data stays, database and all.
    await until('the run directory removed', async () => fs.existsSync(runDir), (left) => !left, 30_000);
    expect(fs.existsSync(path.join(dataDir, 'mysql'))).toBe(true);
  } finally {
    owner?.child.kill('SIGKILL');
    await owner?.closed;
    const left = serverPid(dataDir);
    if (left) process.kill(left, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 90_000);

it('removes the test run’s throwaway data directory once its server has stopped, the run killed with SIGKILL', async () => {
  // The suite's own global setup, in a process of its own, as jest runs it (with no server given).
  const script = `require(${JSON.stringify(path.join(__dirname, 'support/global-setup.ts'))}).default()
    .then(() => { console.log(JSON.stringify({ dataDir: globalThis.__aidhubTestServer.dataDir })); setInterval(() => {}, 1000); });`;
  const env = { ...process.env };
  delete env.AIDHUB_TEST_DATABASE_URL;
  let owner: Awaited<ReturnType<typeof ownerProcess>> | undefined;
  let dataDir: string | undefined;
  try {
    owner = await ownerProcess(script, env);
    dataDir = owner.line.dataDir;
    expect(path.dirname(dataDir)).toBe(os.tmpdir());
    expect(fs.existsSync(path.join(dataDir, 'mysql'))).toBe(true);
    const pid = serverPid(dataDir);
    expect(pid).not.toBeNull();
    const runDir = runDirOf(pid!);
    owner.child.kill('SIGKILL');
    await until('the throwaway data directory removed', async () => fs.existsSync(dataDir!), (left) => !left, 60_000);
    expect({ server: alive(pid!), runDir: fs.existsSync(runDir) }).toEqual({ server: false, runDir: false });
  } finally {
    owner?.child.kill('SIGKILL');
    await owner?.closed;
    const left = dataDir && serverPid(dataDir);
    if (left) process.kill(left, 'SIGKILL');
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);

it('refuses at once a second server on a data directory one already serves, naming who serves it', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-twice-'));
  const first = await startPrivateServer({ dataDir, ephemeral: true });
  try {
    const second = startPrivateServer({ dataDir, ephemeral: true });
    await expect(second).rejects.toBeInstanceOf(DataDirInUse);
    await expect(second).rejects.toThrow(`process ${process.pid}`);
    await expect(second).rejects.toThrow(`port ${first.port}`);
  } finally {
    await first.stop();
  }
  // Once it has stopped, the directory is free again.
  const again = await startPrivateServer({ dataDir, ephemeral: true });
  await again.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

it('listens on the same port at the next start on the same data, while that port is free, and says when it had to move', async () => {
  // A second process given the first start's URL (a hub with DATABASE_URL, a database client)
  // broke at every restart: the port was picked anew each time.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-port-kept-'));
  const taken = net.createServer();
  try {
    const first = await startPrivateServer({ dataDir, ephemeral: true });
    await first.stop();
    const second = await startPrivateServer({ dataDir, ephemeral: true });
    await second.stop();
    expect({ port: second.port, movedFrom: second.movedFrom }).toEqual({ port: first.port, movedFrom: null });
    // Another program took it meanwhile: a new port, and the old one named.
    await new Promise<void>((resolve) => taken.listen(first.port, '127.0.0.1', resolve));
    const third = await startPrivateServer({ dataDir, ephemeral: true });
    await third.stop();
    expect(third.port).not.toBe(first.port);
    expect(third.movedFrom).toBe(first.port);
  } finally {
    if (taken.listening) await new Promise((r) => taken.close(r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 180_000);

it('tries another port when the one it picked is taken before the server listens, also by another database server, and never takes that one for its own', async () => {
  // A port found free and given to the server a moment later may be taken in between (another hub
  // starting at the same moment): the start failed with "Address already in use", and where another
  // private server (root without a password, as this one) had it, the start took that server for its
  // own and served its data.
  const other = await startThrowawayServer({ prefix: 'aidhub-port-other-' });
  const held = net.createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  const heldPort = (held.address() as net.AddressInfo).port;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-port-retry-'));
  const handedOut: number[] = [];
  const taken = [other.port, heldPort];
  const pickPort = async () => {
    const port = taken.shift() ?? (await freePort());
    handedOut.push(port);
    return port;
  };
  try {
    const server = await startPrivateServer({ dataDir, ephemeral: true, pickPort });
    try {
      expect(handedOut).toHaveLength(3);
      expect(server.port).toBe(handedOut[2]);
      const conn = await mysql.createConnection({ uri: server.url });
      const [rows] = await conn.query('SELECT @@datadir AS dir');
      await conn.end();
      expect(path.resolve((rows as { dir: string }[])[0].dir)).toBe(path.resolve(dataDir));
    } finally {
      await server.stop();
    }
    // A port the caller named is its own choice: taken, the start fails, and no other is tried.
    await expect(startPrivateServer({ dataDir, ephemeral: true, port: heldPort, pickPort })).rejects.toBeInstanceOf(PrivateServerFailed);
    expect(handedOut).toHaveLength(3);
    // Taken every time: given up after a few ports, saying so (the port this data last had is forgotten first, or it would be taken).
    fs.rmSync(path.join(dataDir, 'aidhub-server-port'), { force: true });
    const always = () => Promise.resolve(heldPort);
    await expect(startPrivateServer({ dataDir, ephemeral: true, pickPort: always })).rejects.toThrow(`Port ${heldPort} on 127.0.0.1 was taken by another program`);
  } finally {
    await new Promise((r) => held.close(r));
    await other.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 300_000);

it('keeps a throwaway server’s data directory and log when asked at its stop, or when it dies on its own and was started to keep them then; removes them otherwise', async () => {
  // The bench's server: a run that failed, or a server killed under it, must leave the server's log
  // to be read (the data directory went with the server, log and all, so a crash told nothing).
  const kept = await startThrowawayServer({ prefix: 'aidhub-keep-stop-' });
  const dying = await startThrowawayServer({ prefix: 'aidhub-keep-died-', keepDataWhenItDies: true });
  const plain = await startThrowawayServer({ prefix: 'aidhub-keep-plain-' });
  try {
    await kept.stop({ keepData: true });
    expect(fs.existsSync(path.join(kept.dataDir, 'server.log'))).toBe(true);

    process.kill(dying.pid, 'SIGKILL');
    // Its exit seen (the exit handler removes the owner record) before stop() is called.
    await until('the killed server’s exit', async () => fs.existsSync(path.join(dying.dataDir, 'aidhub-server.json')), (present) => !present, 20_000);
    await dying.stop();
    expect(fs.readFileSync(path.join(dying.dataDir, 'server.log'), 'utf8')).toMatch(/ready for connections/);

    await plain.stop();
    expect(fs.existsSync(plain.dataDir)).toBe(false);
  } finally {
    await Promise.all([kept.stop(), dying.stop(), plain.stop()]);
    for (const s of [kept, dying]) fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
});
