/**
 * The import reads files as streams (tools/import/validate.ts): a file's bytes may arrive in any
 * pieces, a folder's problems are passed on as found, a file changed between checking and loading
 * loads nothing, and the CLI checks and loads a file bigger than a small heap would hold.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { makeIdNumber } from '../domain/id-number';
import { createPool } from '../db/connect';
import { formatProblem, HELD_PROBLEMS, importDir, MAX_KEPT_PROBLEMS, validateCsv, validateImportDir, type ImportProblem } from '../tools/import/index';
import { createTestDatabases, type TestDatabases } from './support/databases';

const TODAY = '2026-06-30';
const ROOT = path.join(__dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples', 'import');

/** `n` people with valid ID numbers, born on distinct days from 1930; `bad(i)` makes row i's gender wrong. */
function writePeople(file: string, n: number, bad: (i: number) => boolean = () => false): void {
  const fd = fs.openSync(file, 'w');
  let buf = 'id_number,name,gender,birth_date,death_date\r\n';
  const start = Date.UTC(1930, 0, 1);
  for (let i = 0; i < n; i++) {
    const birth = new Date(start + (i % 30_000) * 86_400_000).toISOString().slice(0, 10);
    const id = makeIdNumber('370811', birth, Math.floor(i / 30_000));
    const male = Number(id[16]) % 2 === 1;
    buf += `${id},测试人${i},${male !== bad(i) ? 'M' : 'F'},${birth},\r\n`;
    if (buf.length > 1 << 16) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

/** Runs the import CLI in a child node with a heap of `heapMb`. */
function runCli(args: string[], heapMb: number, opts: { slowReader?: boolean; pauseMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', path.join(ROOT, 'tools/import.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    if (opts.slowReader) {
      // A reader that takes nothing until the CLI has exited (or pauseMs, 5 s, have passed, so that a CLI
      // waiting for its output to be read does not wait for ever): what it wrote meanwhile sits in
      // the pipe and the stream's queue.
      child.stderr.pause();
      const resume = () => child.stderr.resume();
      const timer = setTimeout(resume, opts.pauseMs ?? 5_000);
      child.on('exit', () => {
        clearTimeout(timer);
        resume();
      });
    }
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

describe('import: a file read in pieces', () => {
  // A byte order mark, CRLF, a lone CR, a quoted CRLF, a blank line, three-byte characters, and
  // bad rows whose lines depend on counting all of them right.
  const content = Buffer.from(
    '\ufeffid,registration_no,region_code,address\r\n' +
      '1,RC-1,370811001001,"示范路12号\r\n3单元201室"\r\n' +
      '\r\n' +
      '2,RC-2,371526102203,\r' +
      '3,RC-3,370811001001,济宁市任城区\n' +
      '4,rc-1,370811001001,某地\r\n',
    'utf8',
  );

  it('reports the same lines and reads the same rows however the bytes are split', async () => {
    const whole = await validateCsv('household.csv', content, { today: TODAY });
    expect(whole.problems.map(formatProblem)).toEqual([
      'household.csv:5: address: a value is required (REQUIRED)',
      'household.csv:7: registration_no: same unique key as line 2 (DUPLICATE_KEY)',
    ]);
    expect(whole.rowCount).toBe(4);
    expect(whole.rows.map((r) => [r.line, r.values.address])).toEqual([
      [2, '示范路12号\n3单元201室'],
      [6, '济宁市任城区'],
    ]);
    for (const size of [1, 2, 3, 5, 7]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < content.length; i += size) pieces.push(content.subarray(i, i + size));
      const split = await validateCsv('household.csv', pieces, { today: TODAY });
      expect({ size, problems: split.problems, rows: split.rows, rowCount: split.rowCount }).toEqual({ size, problems: whole.problems, rows: whole.rows, rowCount: whole.rowCount });
    }
  });

  it('finds bytes that are not UTF-8 wherever they fall, and reports only that', async () => {
    const gbk = Buffer.concat([content, Buffer.from('5,RC-5,370811001001,'), Buffer.from([0xca, 0xbe, 0xb7, 0xb6]), Buffer.from('\n')]);
    for (const size of [1, 4, gbk.length]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < gbk.length; i += size) pieces.push(gbk.subarray(i, i + size));
      const v = await validateCsv('household.csv', pieces, { today: TODAY });
      expect(v.problems.map((p) => p.code)).toEqual(['NOT_UTF8']);
      expect(v.rows).toEqual([]);
    }
    // UTF-16, with its byte order mark split from the rest.
    const utf16 = Buffer.from('\ufeffid,registration_no\n', 'utf16le');
    expect((await validateCsv('household.csv', [utf16.subarray(0, 1), utf16.subarray(1)])).problems.map((p) => p.code)).toEqual(['NOT_UTF8']);
  });
});

describe('import: a folder with many problems', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-import-many-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes every problem on, in line order, and keeps the first MAX_KEPT_PROBLEMS', async () => {
    const bad = MAX_KEPT_PROBLEMS + 5;
    writePeople(path.join(dir, 'person.csv'), bad + 10, (i) => i < bad);
    const seen: ImportProblem[] = [];
    const v = await validateImportDir(dir, { today: TODAY, onProblem: (p) => seen.push(p) });
    expect(v.ok).toBe(false);
    expect(v.problemCount).toBe(bad);
    expect(v.files[0]).toMatchObject({ rowCount: bad + 10, problemCount: bad });
    expect(seen).toHaveLength(bad);
    expect(seen.map((p) => p.line)).toEqual(Array.from({ length: bad }, (_, i) => i + 2));
    expect(new Set(seen.map((p) => p.code))).toEqual(new Set(['MISMATCH']));
    expect(v.problems).toEqual(seen.slice(0, MAX_KEPT_PROBLEMS));
  });

  it('reports only that a file is not CSV when it breaks after fewer than HELD_PROBLEMS bad rows', async () => {
    writePeople(path.join(dir, 'person.csv'), 20, () => true);
    fs.appendFileSync(path.join(dir, 'person.csv'), '"unclosed,x,M,1970-01-01,\n');
    const v = await validateImportDir(dir, { today: TODAY });
    expect(HELD_PROBLEMS).toBeGreaterThan(20);
    expect(v.problems.map((p) => p.code)).toEqual(['CSV_SYNTAX']);
  });
});

describe('import: streaming into the databases', () => {
  let dbs: TestDatabases;
  let pool: mysql.Pool;
  let work: string;
  const personCount = async () => Number(((await pool.query('SELECT COUNT(*) AS n FROM person')) as unknown as [{ n: number }[]])[0][0].n);

  beforeAll(async () => {
    dbs = await createTestDatabases('import-stream');
    pool = createPool(dbs.hubUrl, { connectionLimit: 1 });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-import-stream-'));
  });
  afterAll(async () => {
    await pool?.end();
    await dbs?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('loads nothing when a file changes between its check and its load', async () => {
    const dir = fs.mkdtempSync(path.join(work, 'changed-'));
    for (const f of fs.readdirSync(EXAMPLES)) if (f.endsWith('.csv')) fs.copyFileSync(path.join(EXAMPLES, f), path.join(dir, f));
    let edited = false;
    const result = await importDir(dir, dbs.hubUrl, {
      today: TODAY,
      env: {},
      // region.csv loads first: person.csv gains a valid row after it was checked.
      log: () => {
        if (edited) return;
        edited = true;
        fs.appendFileSync(path.join(dir, 'person.csv'), `${makeIdNumber('370811', '1980-01-01', 11)},测试甲,M,1980-01-01,\n`);
      },
    });
    expect(edited).toBe(true);
    expect(result.ok).toBe(false);
    expect(result.problems.map(formatProblem)).toEqual([expect.stringMatching(/^person\.csv: .*\(FILE_CHANGED\)$/)]);
    expect(await personCount()).toBe(0);
    const [regions] = (await pool.query('SELECT COUNT(*) AS n FROM region')) as unknown as [{ n: number }[]];
    expect(Number(regions[0].n)).toBe(0);
  });

  // process.exit() dropped what a pipe had not yet taken: read slowly (a loaded machine, a log
  // collector), the report of 300,000 bad rows lost its last 112,000 lines, exit code 1 all the same.
  it('writes every problem line before it exits, however slowly its output is read', async () => {
    const rows = 5_000;
    const dir = fs.mkdtempSync(path.join(work, 'slow-'));
    writePeople(path.join(dir, 'person.csv'), rows, () => true);
    const bad = await runCli(['--dir', dir, '--check'], 256, { slowReader: true });
    expect(bad.code).toBe(1);
    const lines = bad.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(rows + 1);
    expect(lines[rows]).toBe(`${rows} problem(s) found.`);
  }, 120_000);

  it('checks and loads, in a 96 MB heap, a file whose rows that heap could not hold', async () => {
    // About 50 bytes a row on disk and over 1 KB a row once parsed into objects: 300,000 rows
    // held at once need several times the heap.
    const rows = 300_000;
    const dir = fs.mkdtempSync(path.join(work, 'big-'));
    writePeople(path.join(dir, 'person.csv'), rows);

    const check = await runCli(['--dir', dir, '--check'], 96);
    expect(check.stderr).toBe('');
    expect(check.stdout).toBe(`person.csv: ${rows} rows, valid\nAll files are valid.\n`);
    expect(check.code).toBe(0);

    const load = await runCli(['--dir', dir, '--url', dbs.hubUrl], 96);
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
    expect(load.stdout).toContain(`person.csv: ${rows} rows -> hub person`);
    expect(await personCount()).toBe(rows);

    // Every row bad: every problem printed, none held; read by a reader that takes nothing for 15 s
    // (a pager, a slow terminal): the file is read no faster than its problem lines are taken. The
    // CLI read on while 300,000 lines queued in memory, and died of a full heap (exit by SIGABRT).
    writePeople(path.join(dir, 'person.csv'), rows, () => true);
    const bad = await runCli(['--dir', dir, '--check'], 96, { slowReader: true, pauseMs: 15_000 });
    expect(bad.code).toBe(1);
    const lines = bad.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(rows + 1);
    expect(lines[0]).toBe('person.csv:2: gender: does not agree with the sex digit (17th) of id_number (MISMATCH)');
    expect(lines[rows - 1]).toMatch(new RegExp(`^person\\.csv:${rows + 1}: gender: .*\\(MISMATCH\\)$`));
    expect(lines[rows]).toBe(`${rows} problem(s) found.`);
  }, 600_000);
});
