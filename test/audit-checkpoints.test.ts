/**
 * Tamper evidence that does not trust the database (issue 15): an administrator with full access
 * to the hub database rewrites a row and recomputes every hash after it, or cuts the tail and moves
 * the head back. The chain alone then verifies; checked against the row hashes and Ed25519-signed
 * checkpoints the hub wrote to a file outside the database, it names the first row that differs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { verifyChain } from '../access/audit';
import { rewriteAuditRowRecomputing } from './support/audit-trail';
import { parseKey, readCheckpointFile } from '../access/checkpoints';
import { accessDbOf, type AccessDb } from '../db/access/db';
import { ConfigError } from '../db/config';
import { auditVerifyCommand } from '../tools/audit-verify';
import { checkpointBed, type CheckpointBed } from './support/checkpoint-bed';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const EVERY_ROWS = 3;
const REQUESTS = 10;

let dbs: TestDatabases;
let accessDb: AccessDb;
let bed: CheckpointBed;
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

const verifyCli = () => bed.verify(accessDb);

beforeAll(async () => {
  dbs = await createTestDatabases('audit_checkpoints');
  await insertRegions(dbs);
  bed = checkpointBed('aidhub-checkpoints-');
  ({ dir, file, publicKeyFile } = bed);
  const hub = await startTestHub(dbs, { today: TODAY, auditCheckpoints: bed.hubOptions(EVERY_ROWS) });
  // Sequential, so each access is its own transaction and rows come one at a time.
  for (let i = 0; i < REQUESTS; i++) expect((await hub.gql('{ caller { name } }')).status).toBe(200);
  // Shutting down writes what is queued and a last checkpoint.
  await hub.close();
  accessDb = accessDbOf(dbs.hub);
});

afterAll(async () => {
  await dbs?.close();
  bed?.remove();
});

describe('the checkpoint file', () => {
  it('holds every row’s hash and a signed checkpoint every few rows and at shutdown', async () => {
    const all = await rows();
    expect(all.length).toBeGreaterThanOrEqual(REQUESTS);
    const read = bed.read();
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
      expect(bed.read()).toMatchObject({ ok: false, line: i + 1 });
      expect((await verifyCli()).code).toBe(2);
    } finally {
      fs.writeFileSync(file, original);
    }
    const other = crypto.generateKeyPairSync('ed25519').publicKey;
    expect(readCheckpointFile(file, other)).toMatchObject({ ok: false });
  });
});

/** Rewrites row `victim` (another purpose) and recomputes every hash after it, as an administrator could. */
const rewriteRecomputing = (saved: Row[], victim: number) => rewriteAuditRowRecomputing(dbs, saved, victim);

describe('a checkpoint file a hub appended to after a restore', () => {
  // A hub started on a restored database (before starts were refused) recorded new rows under the
  // numbers the file held; read as one, the later hashes replaced the earlier ones, and audit:verify
  // called the rewound rows intact and reported only the shorter tail missing.
  it('is refused as evidence, naming both lines and the first row recorded twice', async () => {
    const original = fs.readFileSync(file, 'utf8');
    const recorded = original.trim().split('\n').length;
    const seq = (await rows()).length - 1;
    try {
      fs.appendFileSync(file, JSON.stringify({ t: 'rows', first: seq, hashes: ['e'.repeat(64)] }) + '\n');
      const read = bed.read();
      expect(read).toMatchObject({ ok: false, line: recorded + 1 });
      expect(read.ok || read.message).toContain(`records row ${seq} with another hash than line`);
      const { code, out } = await verifyCli();
      expect(code).toBe(2);
      expect(out.join('\n')).toContain('restored from an older backup');
    } finally {
      fs.writeFileSync(file, original);
    }
  });
});

describe('what a database administrator cannot hide', () => {
  it('a row rewritten with every hash after it recomputed: named, row and all', async () => {
    const saved = await rows();
    const victim = Math.ceil(saved.length / 2);
    try {
      await rewriteRecomputing(saved, victim);
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

describe('an --anchor beside the signed checkpoints', () => {
  const anchorCli = async (anchor: string) => {
    const out: string[] = [];
    const code = await auditVerifyCommand(['--anchor', anchor, '--checkpoints', file, '--public-key', publicKeyFile], accessDb, (l) => out.push(l));
    return { code, out };
  };

  it('with a wrong hash for a row the checkpoints vouch for: the anchor disagrees with them, not a rewritten chain', async () => {
    const all = await rows();
    const seq = Number(all[1].seq);
    const wrong = 'f'.repeat(64);
    expect(wrong).not.toBe(all[1].row_hash);
    const { code, out } = await anchorCli(`${seq}:${wrong}`);
    expect(out[0]).toContain(`(ANCHOR_CONTRADICTED)`);
    expect(out[0]).not.toContain('rewritten up to here');
    expect(code).toBe(2);
    // The right hash still verifies.
    expect((await anchorCli(`${seq}:${all[1].row_hash}`)).code).toBe(0);
  });

  it('with a wrong anchor and the tail cut: TRUNCATED first, the anchor’s mismatch said too (exit 1)', async () => {
    const read = bed.read();
    if (!read.ok) throw new Error(read.message);
    const saved = await rows();
    const total = saved.length;
    // The last row kept is one no checkpoint is at: the checkpoint that would vouch for it is in the cut tail.
    const cps = new Set(read.record.checkpoints.map((c) => c.seq));
    expect(cps.has(total)).toBe(true);
    const keep = Array.from({ length: total - 1 }, (_, i) => total - 1 - i).find((s) => !cps.has(s))!;
    expect(keep).toBeGreaterThan(1);
    const wrong = `${keep}:${'f'.repeat(64)}`;
    try {
      // Cut, the head left where it was: the chain alone shows the cut; then with the head moved back, only the file does.
      await dbs.hubPool.query('DELETE FROM access_log WHERE seq > ?', [keep]);
      const plain: string[] = [];
      expect(await auditVerifyCommand(['--anchor', wrong], accessDb, (l) => plain.push(l))).toBe(1);
      expect(plain[0]).toContain(`BROKEN at row ${keep + 1} (TRUNCATED)`);
      expect(plain[1]).toContain(`also at row ${keep} (ANCHOR_MISMATCH)`);
      expect(await verifyChain(accessDb, { anchor: { seq: keep, hash: 'f'.repeat(64) } })).toMatchObject({
        ok: false, seq: keep + 1, problem: 'TRUNCATED', also: [expect.objectContaining({ seq: keep, problem: 'ANCHOR_MISMATCH' })],
      });
      await dbs.hubPool.query('UPDATE access_log_head SET last_seq = ?, last_hash = ? WHERE id = 1', [keep, saved[keep - 1].row_hash]);
      const { code, out } = await anchorCli(wrong);
      expect(code).toBe(1);
      expect(out[0]).toContain(`BROKEN at row ${keep + 1} (TRUNCATED)`);
      expect(out[1]).toContain(`also at row ${keep} (ANCHOR_MISMATCH)`);
      // The right anchor: the cut alone.
      const right = await anchorCli(`${keep}:${saved[keep - 1].row_hash}`);
      expect(right.code).toBe(1);
      expect(right.out[0]).toContain(`BROKEN at row ${keep + 1} (TRUNCATED)`);
      expect(right.out.join('\n')).not.toContain('ANCHOR_MISMATCH');
    } finally {
      await restore(saved);
    }
  });

  it('with a break met before the checkpoint that would vouch for the row: the break first, and ANCHOR_MISMATCH, the anchor believed', async () => {
    const read = bed.read();
    if (!read.ok) throw new Error(read.message);
    // The row before a checkpoint, and that checkpoint's row changed behind the hub's back.
    const voucher = read.record.checkpoints.map((c) => c.seq).find((s) => s > 1)!;
    const saved = await rows();
    try {
      await dbs.hubPool.query("UPDATE access_log SET purpose = 'AUDIT' WHERE seq = ?", [voucher]);
      const { code, out } = await anchorCli(`${voucher - 1}:${'f'.repeat(64)}`);
      expect(code).toBe(1);
      expect(out[0]).toContain(`BROKEN at row ${voucher} (CHANGED)`);
      expect(out[1]).toContain(`also at row ${voucher - 1} (ANCHOR_MISMATCH)`);
    } finally {
      await restore(saved);
    }
  });

  it('with a wrong anchor the checkpoints contradict and a break after the checkpoint: the break first, the contradiction said too (exit 1)', async () => {
    const read = bed.read();
    if (!read.ok) throw new Error(read.message);
    const saved = await rows();
    // A row before a checkpoint that has rows after it: the checkpoint vouches for the row, and the
    // walk stopped there, so a row changed or a tail cut after it went unsaid behind exit 2.
    const voucher = read.record.checkpoints.map((c) => c.seq).find((s) => s > 1 && s < saved.length - 1)!;
    expect(voucher).toBeDefined();
    const wrong = `${voucher - 1}:${'f'.repeat(64)}`;
    try {
      await dbs.hubPool.query("UPDATE access_log SET purpose = 'AUDIT' WHERE seq = ?", [voucher + 1]);
      const changed = await anchorCli(wrong);
      expect(changed.code).toBe(1);
      expect(changed.out[0]).toContain(`BROKEN at row ${voucher + 1} (CHANGED)`);
      expect(changed.out[1]).toContain(`also at row ${voucher - 1} (ANCHOR_CONTRADICTED)`);
      await restore(saved);
      await dbs.hubPool.query('DELETE FROM access_log WHERE seq > ?', [voucher + 1]);
      await dbs.hubPool.query('UPDATE access_log_head SET last_seq = ?, last_hash = ? WHERE id = 1', [voucher + 1, saved[voucher].row_hash]);
      const cut = await anchorCli(wrong);
      expect(cut.code).toBe(1);
      expect(cut.out[0]).toContain(`BROKEN at row ${voucher + 2} (TRUNCATED)`);
      expect(cut.out[1]).toContain(`also at row ${voucher - 1} (ANCHOR_CONTRADICTED)`);
    } finally {
      await restore(saved);
    }
    // The chain whole: the contradiction alone, exit 2, as before.
    const whole = await anchorCli(wrong);
    expect(whole.code).toBe(2);
    expect(whole.out[0]).toContain('(ANCHOR_CONTRADICTED)');
  });
});

describe('a start on a database that does not hold the chain its checkpoint file records', () => {
  // A restore of an older backup rewound the chain (and brought back the tokens revoked since):
  // a hub started on it appended rows under numbers the file already held, silently, and the
  // file's later hashes for those rows hid what the restore had lost from audit:verify.
  const startOnFile = () => startTestHub(dbs, { today: TODAY, auditCheckpoints: bed.hubOptions(EVERY_ROWS) });

  it('is refused when the database is older than the file (a backup restored), the file untouched', async () => {
    const saved = await rows();
    const keep = saved.length - 3;
    const before = fs.readFileSync(file, 'utf8');
    try {
      // What loading a dump taken at row `keep` leaves: the chain and its head as they were then.
      await dbs.hubPool.query('DELETE FROM access_log WHERE seq > ?', [keep]);
      await dbs.hubPool.query('UPDATE access_log_head SET last_seq = ?, last_hash = ? WHERE id = 1', [keep, saved[keep - 1].row_hash]);
      const refused = startOnFile();
      await expect(refused).rejects.toBeInstanceOf(ConfigError);
      await expect(refused).rejects.toThrow(`ends at row ${keep}, but the file records rows up to ${saved.length}`);
      await expect(refused).rejects.toThrow(/AUDIT_CHECKPOINT_FILE.*revoke or rotate again/);
      expect(fs.readFileSync(file, 'utf8')).toBe(before);
      expect((await rows()).length).toBe(keep);
    } finally {
      await restore(saved);
    }
  });

  it('is refused when the database holds another chain there, and starts on the chain the file records', async () => {
    const saved = await rows();
    const before = fs.readFileSync(file, 'utf8');
    try {
      await rewriteRecomputing(saved, saved.length);
      await expect(startOnFile()).rejects.toThrow(`row ${saved.length} of the hub database's audit chain is not the row the file records`);
      expect(fs.readFileSync(file, 'utf8')).toBe(before);
    } finally {
      await restore(saved);
    }
    const hub = await startOnFile();
    await hub.close();
  });
});

describe('one checkpoint file per replica', () => {
  // Each replica writes its own file: the rows it appended and checkpoints of the head. audit:verify
  // took one --checkpoints (a second one silently replaced the first), so an auditor checked the
  // chain against one replica's file at a time, and a row only another replica recorded was not
  // checked against anything outside the database.
  let first: string;
  let second: string;
  /** The rows recorded in the second file only. */
  let secondOnly: number[];

  beforeAll(() => {
    // The one hub's file cut in two, as two replicas taking turns would have written it.
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const half = Math.ceil(lines.length / 2);
    first = path.join(dir, 'replica-a.jsonl');
    second = path.join(dir, 'replica-b.jsonl');
    fs.writeFileSync(first, lines.slice(0, half).join('\n') + '\n');
    fs.writeFileSync(second, lines.slice(half).join('\n') + '\n');
    const key = parseKey(fs.readFileSync(publicKeyFile, 'utf8'));
    const a = readCheckpointFile(first, key);
    const b = readCheckpointFile(second, key);
    if (!a.ok || !b.ok) throw new Error('the halves do not read');
    secondOnly = [...b.record.rowHashes.keys()].filter((seq) => !a.record.rowHashes.has(seq));
    expect(secondOnly.length).toBeGreaterThan(0);
  });

  async function verify(args: string[]): Promise<{ code: number; out: string[] }> {
    const out: string[] = [];
    const code = await auditVerifyCommand([...args, '--public-key', publicKeyFile], accessDb, (l) => out.push(l));
    return { code, out };
  }

  it('checks the chain against every file given, repeated or as a comma list, and says what each vouches for', async () => {
    for (const args of [['--checkpoints', first, '--checkpoints', second], ['--checkpoints', `${first},${second}`]]) {
      const { code, out } = await verify(args);
      expect({ code, head: out[0] }).toEqual({ code: 0, head: expect.stringMatching(/^audit chain intact/) });
      expect(out.join('\n')).toContain('checked against 2 checkpoint files together');
      expect(out.some((l) => l.includes(`${first}: `) && /rows \d+\.\.\d+/.test(l))).toBe(true);
      expect(out.some((l) => l.includes(`${second}: `) && /rows \d+\.\.\d+/.test(l))).toBe(true);
    }
  });

  it('names a row rewritten that only the other replica recorded, and the file that holds it', async () => {
    const saved = await rows();
    const victim = secondOnly[0];
    try {
      await rewriteRecomputing(saved, victim);
      // The second file named first: with the old single option the first file alone was read.
      const { code, out } = await verify(['--checkpoints', second, '--checkpoints', first]);
      expect(code).toBe(1);
      expect(out[0]).toContain(`BROKEN at row ${victim} (REWRITTEN)`);
      expect(out[1]).toBe(`row ${victim} is recorded in ${second}`);
    } finally {
      await restore(saved);
    }
  });

  it('refuses files that contradict each other, naming both', async () => {
    const contradicting = path.join(dir, 'replica-c.jsonl');
    const seq = secondOnly[0];
    const forged = '0'.repeat(64);
    fs.writeFileSync(contradicting, JSON.stringify({ t: 'rows', first: seq, hashes: [forged] }) + '\n');
    const { code, out } = await verify(['--checkpoints', `${second},${contradicting}`]);
    expect(code).toBe(2);
    expect(out[0]).toContain(`${second} and ${contradicting} record different hashes for row ${seq}`);
  });

  it('refuses a missing file among several, naming it', async () => {
    const { code, out } = await verify(['--checkpoints', first, '--checkpoints', path.join(dir, 'nowhere.jsonl')]);
    expect(code).toBe(2);
    expect(out[0]).toContain('nowhere.jsonl');
  });
});
