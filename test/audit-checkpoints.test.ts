/**
 * Tamper evidence that does not trust the database (issue 15): an administrator with full access
 * to the hub database rewrites a row and recomputes every hash after it, or cuts the tail and moves
 * the head back. The chain alone then verifies; checked against the row hashes and Ed25519-signed
 * checkpoints the hub wrote to a file outside the database, it names the first row that differs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GENESIS_HASH, rowHash, verifyChain } from '../access/audit';
import { generateSigningKeyFiles, parseKey, readCheckpointFile } from '../access/checkpoints';
import { accessDbOf, type AccessDb } from '../db/access/db';
import { auditVerifyCommand } from '../tools/audit-verify';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const EVERY_ROWS = 3;
const REQUESTS = 10;

let dbs: TestDatabases;
let accessDb: AccessDb;
let dir: string;
let file: string;
let publicKeyFile: string;

type Row = Record<string, any>;

async function rows(): Promise<Row[]> {
  const [r] = await dbs.hubPool.query('SELECT * FROM access_log ORDER BY seq');
  return r as Row[];
}

/** Puts the table and head back as they were. */
async function restore(saved: Row[]): Promise<void> {
  await dbs.hubPool.query('DELETE FROM access_log');
  for (const r of saved) await dbs.hubPool.query('INSERT INTO access_log SET ?', [r]);
  const last = saved[saved.length - 1];
  await dbs.hubPool.query('UPDATE access_log_head SET last_seq = ?, last_hash = ? WHERE id = 1', [last.seq, last.row_hash]);
}

async function verifyCli(): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await auditVerifyCommand(['--checkpoints', file, '--public-key', publicKeyFile], accessDb, (l) => out.push(l));
  return { code, out };
}

beforeAll(async () => {
  dbs = await createTestDatabases('audit_checkpoints');
  await insertRegions(dbs);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-checkpoints-'));
  file = path.join(dir, 'audit-checkpoints.jsonl');
  publicKeyFile = path.join(dir, 'verify.pem');
  const privateKeyFile = path.join(dir, 'signing.pem');
  generateSigningKeyFiles(privateKeyFile, publicKeyFile);
  const signingKey = parseKey(fs.readFileSync(privateKeyFile, 'utf8'));
  const hub = await startTestHub(dbs, { today: TODAY, auditCheckpoints: { file, signingKey, everyRows: EVERY_ROWS, everyMs: 3_600_000 } });
  // Sequential, so each access is its own transaction and rows come one at a time.
  for (let i = 0; i < REQUESTS; i++) expect((await hub.gql('{ caller { name } }')).status).toBe(200);
  // Shutting down writes what is queued and a last checkpoint.
  await hub.close();
  accessDb = accessDbOf(dbs.hub);
});

afterAll(async () => {
  await dbs?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the checkpoint file', () => {
  it('holds every row’s hash and a signed checkpoint every few rows and at shutdown', async () => {
    const all = await rows();
    expect(all.length).toBeGreaterThanOrEqual(REQUESTS);
    const read = readCheckpointFile(file, parseKey(fs.readFileSync(publicKeyFile, 'utf8')));
    if (!read.ok) throw new Error(read.message);
    expect(read.record.rowHashes.size).toBe(all.length);
    for (const r of all) expect(read.record.rowHashes.get(Number(r.seq))).toBe(r.row_hash);
    expect(read.record.checkpoints.length).toBeGreaterThanOrEqual(Math.floor(all.length / EVERY_ROWS));
    expect(read.record.checkpoints.at(-1)).toMatchObject({ seq: Number(all.at(-1)!.seq), hash: all.at(-1)!.row_hash });
    const { code, out } = await verifyCli();
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^audit chain intact/);
  });

  it('is refused as evidence when a checkpoint was altered, or signed with another key', async () => {
    const original = fs.readFileSync(file, 'utf8');
    try {
      const lines = original.trim().split('\n').map((l) => JSON.parse(l));
      const i = lines.findIndex((l) => l.t === 'checkpoint');
      lines[i].seq -= 1;
      fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      expect(readCheckpointFile(file, parseKey(fs.readFileSync(publicKeyFile, 'utf8')))).toMatchObject({ ok: false, line: i + 1 });
      expect((await verifyCli()).code).toBe(2);
    } finally {
      fs.writeFileSync(file, original);
    }
    const other = crypto.generateKeyPairSync('ed25519').publicKey;
    expect(readCheckpointFile(file, other)).toMatchObject({ ok: false });
  });
});

describe('what a database administrator cannot hide', () => {
  it('a row rewritten with every hash after it recomputed: named, row and all', async () => {
    const saved = await rows();
    const victim = Math.ceil(saved.length / 2);
    try {
      let prev = GENESIS_HASH;
      for (const r of saved) {
        const values = {
          at: r.at, requestId: r.request_id, clientId: Number(r.client_id), clientName: r.client_name, department: r.department, regionScope: r.region_scope,
          purpose: Number(r.seq) === victim ? 'AUDIT' : r.purpose, caseReference: r.case_reference, channel: r.channel, operation: r.operation,
          operationHash: r.operation_hash, subjectKind: r.subject_kind, subjectRef: r.subject_ref, subjectLabel: r.subject_label, outcome: r.outcome,
        };
        const hash = rowHash(prev, Number(r.seq), values as any);
        await dbs.hubPool.query('UPDATE access_log SET purpose = ?, prev_hash = ?, row_hash = ? WHERE seq = ?', [values.purpose, prev, hash, r.seq]);
        prev = hash;
      }
      await dbs.hubPool.query('UPDATE access_log_head SET last_hash = ? WHERE id = 1', [prev]);
      // The chain on its own cannot tell.
      expect(await verifyChain(accessDb)).toMatchObject({ ok: true });
      const { code, out } = await verifyCli();
      expect(code).toBe(1);
      expect(out[0]).toContain(`BROKEN at row ${victim} (REWRITTEN)`);
    } finally {
      await restore(saved);
    }
    expect((await verifyCli()).code).toBe(0);
  });

  it('the tail cut and the head moved back: named from the first missing row', async () => {
    const saved = await rows();
    const keep = saved.length - 2;
    try {
      await dbs.hubPool.query('DELETE FROM access_log WHERE seq > ?', [keep]);
      await dbs.hubPool.query('UPDATE access_log_head SET last_seq = ?, last_hash = ? WHERE id = 1', [keep, saved[keep - 1].row_hash]);
      expect(await verifyChain(accessDb)).toMatchObject({ ok: true });
      const { code, out } = await verifyCli();
      expect(code).toBe(1);
      expect(out[0]).toContain(`BROKEN at row ${keep + 1} (TRUNCATED)`);
    } finally {
      await restore(saved);
    }
    expect((await verifyCli()).code).toBe(0);
  });
});
