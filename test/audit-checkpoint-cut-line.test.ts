/**
 * A checkpoint file whose last line a crash cut mid-write (a kill -9, a power cut, a full disk)
 * stays usable as evidence after the next start: the hub ends the cut line before it appends, and
 * the reader takes a cut line for what it is (it records nothing). Before, the next start appended
 * its first line to the cut one, and `audit:verify` refused the whole file (`line N is not JSON`,
 * exit 2) with the chain intact, and the rows of that first transaction were recorded nowhere.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointLog, readCheckpointFile } from '../access/checkpoints';

const hash = (c: string) => c.repeat(64);
let dir: string;
let file: string;
const { privateKey } = crypto.generateKeyPairSync('ed25519');
const publicKey = crypto.createPublicKey(privateKey);

/** One hub run: the rows it records (first seq, one hash each), then its shutdown checkpoint. */
async function run(first: number, hashes: string[]): Promise<void> {
  const log = new CheckpointLog({ file, signingKey: privateKey, everyRows: 1_000, everyMs: 3_600_000 });
  log.recordRows(first, hashes);
  await log.close();
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-cut-line-'));
  file = path.join(dir, 'audit-checkpoints.jsonl');
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a checkpoint file cut mid-write by a crash', () => {
  it('is still evidence after the next start appends to it: the cut line records nothing, the lines after it everything', async () => {
    await run(1, [hash('a'), hash('b')]);
    // The crash: half of the next transaction's line reached the file.
    fs.appendFileSync(file, `{"t":"rows","first":3,"hashes":["${hash('c').slice(0, 20)}`);
    const cutAt = fs.readFileSync(file, 'utf8').split('\n').length;
    await run(3, [hash('c'), hash('d')]);

    const read = readCheckpointFile(file, publicKey);
    expect(read).toMatchObject({ ok: true, cutLines: [cutAt] });
    if (!read.ok) return;
    expect([...read.record.rowHashes.entries()]).toEqual([
      [1, hash('a')],
      [2, hash('b')],
      [3, hash('c')],
      [4, hash('d')],
    ]);
    expect(read.record.checkpoints.map((c) => c.seq)).toEqual([2, 4]);
  });

  it('written by a release that glued the next line to the cut one: the glued line read as the line it is', async () => {
    await run(1, [hash('a')]);
    const whole = fs.readFileSync(file, 'utf8');
    await run(2, [hash('b')]);
    const later = fs.readFileSync(file, 'utf8').slice(whole.length);
    // As the earlier release left it: the cut line, and the next start's lines right after it.
    fs.writeFileSync(file, `${whole}{"t":"rows","first":2,"hashes":["${hash('x').slice(0, 9)}${later}`);

    const read = readCheckpointFile(file, publicKey);
    expect(read).toMatchObject({ ok: true, cutLines: [3] });
    if (!read.ok) return;
    expect(read.record.rowHashes.get(2)).toBe(hash('b'));
    expect(read.record.checkpoints.map((c) => c.seq)).toEqual([1, 2]);
  });

  it('a line of other text before the end is still refused: not a line the hub cut', async () => {
    await run(1, [hash('a')]);
    fs.appendFileSync(file, 'hello\n');
    await run(2, [hash('b')]);
    expect(readCheckpointFile(file, publicKey)).toMatchObject({ ok: false, line: 3 });
  });

  it('a file whose last line is whole is left as it is by the next start', async () => {
    await run(1, [hash('a')]);
    const before = fs.readFileSync(file, 'utf8');
    await run(2, [hash('b')]);
    expect(fs.readFileSync(file, 'utf8').startsWith(before)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('\n\n');
    expect(readCheckpointFile(file, publicKey)).toMatchObject({ ok: true, cutLines: [] });
  });
});
