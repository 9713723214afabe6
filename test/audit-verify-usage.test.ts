/**
 * `npm run audit:verify`'s answers before it walks the chain, for an auditor's script: each with a
 * stable code and exit 2 (never 1, which says the chain is broken). A public key or checkpoint file
 * that could not be read was thrown out of the command: exit 1 and "the hub database does not
 * answer; is `npm start` running?", and a file unusable as evidence said why in words alone.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CheckpointLog, generateSigningKeyFiles } from '../access/checkpoints';
import type { AccessDb } from '../db/access/db';
import { auditVerifyCommand } from '../tools/audit-verify';

let dir: string;
let publicKeyFile: string;
let signingKey: crypto.KeyObject;

/** A database every answer here comes before: reading it fails the test. */
const untouched = new Proxy({}, {
  get() {
    throw new Error('the database was read');
  },
}) as AccessDb;

async function verify(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await auditVerifyCommand(argv, untouched, (l) => out.push(l));
  return { code, out };
}

/** A checkpoint file as a hub writes it: rows `first`… and a signed checkpoint of the last. */
async function fileOf(name: string, first: number, hashes: string[], key = signingKey): Promise<string> {
  const file = path.join(dir, name);
  const log = new CheckpointLog({ file, signingKey: key, everyRows: 1_000, everyMs: 3_600_000 });
  log.recordRows(first, hashes);
  await log.close();
  return file;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-verify-usage-'));
  publicKeyFile = path.join(dir, 'verify.pem');
  const privateKeyFile = path.join(dir, 'signing.pem');
  generateSigningKeyFiles(privateKeyFile, publicKeyFile);
  signingKey = crypto.createPrivateKey(fs.readFileSync(privateKeyFile, 'utf8'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('audit:verify refuses, exit 2 with a stable code', () => {
  it('a public key that cannot be read: missing, or not a PEM key', async () => {
    const file = await fileOf('a.jsonl', 1, ['a'.repeat(64)]);
    const garbage = path.join(dir, 'garbage.pem');
    fs.writeFileSync(garbage, 'not a key\n');
    for (const key of [path.join(dir, 'nowhere.pem'), garbage]) {
      const { code, out } = await verify('--checkpoints', file, '--public-key', key);
      expect({ code, out }).toEqual({ code: 2, out: [expect.stringMatching(/^error: PUBLIC_KEY_UNREADABLE: /)] });
    }
  });

  it('a checkpoint file that cannot be read, or is not there', async () => {
    expect(await verify('--checkpoints', dir, '--public-key', publicKeyFile)).toEqual({ code: 2, out: [expect.stringMatching(/^error: CHECKPOINT_FILE_UNREADABLE: .*\(EISDIR\)$/)] });
    expect(await verify('--checkpoints', path.join(dir, 'nowhere.jsonl'), '--public-key', publicKeyFile)).toEqual({ code: 2, out: [expect.stringMatching(/^error: CHECKPOINT_FILE_MISSING: /)] });
    expect(await verify('--checkpoints', await fileOf('b.jsonl', 1, ['b'.repeat(64)]))).toEqual({ code: 2, out: [expect.stringMatching(/^error: PUBLIC_KEY_REQUIRED: /)] });
  });

  it('a public key with no checkpoint file to check it against, given or found', async () => {
    // It was ignored: the chain was walked alone and answered "intact", the key never read.
    expect(await verify('--public-key', publicKeyFile)).toEqual({ code: 2, out: [expect.stringMatching(/^error: PUBLIC_KEY_WITHOUT_CHECKPOINTS: /)] });
    const gone = path.join(dir, 'not-written-yet.jsonl');
    const out: string[] = [];
    const code = await auditVerifyCommand(['--public-key', publicKeyFile], untouched, (l) => out.push(l), { env: { AUDIT_CHECKPOINT_FILE: gone }, privateServerFiles: false });
    expect({ code, out }).toEqual({ code: 2, out: [expect.stringMatching(/^error: PUBLIC_KEY_WITHOUT_CHECKPOINTS: /)] });
    expect(out[0]).toContain(gone);
  });

  it('an --anchor that names no row', async () => {
    for (const anchor of ['abc', `0:${'a'.repeat(64)}`]) expect(await verify('--anchor', anchor)).toEqual({ code: 2, out: [expect.stringMatching(/^error: MALFORMED_ANCHOR: /)] });
  });

  it('a file unusable as evidence, saying why by a code', async () => {
    const whole = fs.readFileSync(await fileOf('c.jsonl', 1, ['c'.repeat(64)]), 'utf8');
    const [rows, checkpoint] = whole.trim().split('\n');
    const signed = JSON.parse(checkpoint);
    const other = await fileOf('other.jsonl', 1, ['c'.repeat(64)], crypto.generateKeyPairSync('ed25519').privateKey);
    const cases: [string, string][] = [
      [`${rows}\n${JSON.stringify({ ...signed, hash: 'd'.repeat(64) })}\n`, 'SIGNATURE_INVALID'],
      [fs.readFileSync(other, 'utf8'), 'OTHER_KEY'],
      [`${rows}\nhello\n${checkpoint}\n`, 'LINE_NOT_JSON'],
      [`${rows}\n{"t":"note"}\n${checkpoint}\n`, 'LINE_UNKNOWN'],
      [`${rows}\n${JSON.stringify({ t: 'rows', first: 1, hashes: ['e'.repeat(64)] })}\n`, 'TWO_CHAINS'],
      [`${JSON.stringify({ t: 'rows', first: 1, hashes: ['e'.repeat(64)] })}\n${checkpoint}\n`, 'CHECKPOINT_CONTRADICTED'],
    ];
    for (const [text, problem] of cases) {
      const file = path.join(dir, `${problem}.jsonl`);
      fs.writeFileSync(file, text);
      const { code, out } = await verify('--checkpoints', file, '--public-key', publicKeyFile);
      expect({ problem, code, out }).toEqual({ problem, code: 2, out: [expect.stringContaining(`is not usable as evidence (${problem}): `)] });
    }
  });

  it('two files that record one row with different hashes', async () => {
    const a = await fileOf('d1.jsonl', 1, ['a'.repeat(64)]);
    const b = await fileOf('d2.jsonl', 1, ['b'.repeat(64)]);
    const { code, out } = await verify('--checkpoints', `${a},${b}`, '--public-key', publicKeyFile);
    expect({ code, out }).toEqual({ code: 2, out: [expect.stringContaining('not usable as evidence together (FILES_DISAGREE): ')] });
  });
});

/** A port nothing listens on: one the system gave out and took back. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('audit:verify with a hub database that does not answer', () => {
  it('exits 3, not checked: exit 1 said the chain was broken', async () => {
    const url = `mysql://root@127.0.0.1:${await closedPort()}/aidhub`;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'tools', 'audit-verify.ts')], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 3, stderr: expect.stringContaining('ECONNREFUSED') });
  }, 60_000);
});
