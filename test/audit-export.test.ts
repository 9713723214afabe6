/**
 * npm run audit:export: a period's rows of the audit trail as JSON lines with the chain's hashes,
 * written page by page, and checked offline (`--check`, no database): intact it verifies; a row
 * changed, a row removed or the file cut short is named with its line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addDays, todayIso } from '../domain/dates';
import { auditExportCommand } from '../tools/audit-export';
import { lastAuditSeq } from './support/audit-trail';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let dir: string;

beforeAll(async () => {
  dbs = await createTestDatabases('audit_export');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
  for (let i = 0; i < 3; i++) expect((await hub.gql(`query($id: ID!) { household(id: $id) { members { person { name } } } }`, { id: String(wangId) })).errors).toBeUndefined();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-export-'));
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await auditExportCommand(argv, hub.accessDb, (l) => out.push(l));
  return { code, out };
}

/** The rows' `at` is the real clock's (UTC), not the scenario's: the China days around now hold them. */
const around = () => ({ from: addDays(todayIso(), -1), to: addDays(todayIso(), 1) });

describe('audit:export', () => {
  let file: string;
  let lines: string[];

  it('writes every row of the days, header and end line, each row with its hashes, and the file verifies offline', async () => {
    const { from, to } = around();
    file = path.join(dir, 'trail.jsonl');
    const last = await lastAuditSeq(dbs);
    const written = await run('--from', from, '--to', to, '--out', file);
    expect(written.code).toBe(0);
    lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const rows = lines.slice(1, -1).map((l) => JSON.parse(l));
    expect(JSON.parse(lines[0])).toMatchObject({ t: 'export', from, to, firstSeq: 1, prevHash: '0'.repeat(64) });
    expect(rows.length).toBeGreaterThanOrEqual(last);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(JSON.parse(lines.at(-1)!)).toEqual({ t: 'end', rows: rows.length, lastHash: rows.at(-1).rowHash });
    expect(await run('--check', file)).toEqual({ code: 0, out: [expect.stringMatching(new RegExp(`^audit export verifies: ${rows.length} rows`))] });
    // An existing file is not overwritten.
    expect((await run('--from', from, '--to', to, '--out', file)).out[0]).toMatch(/^error: OUTPUT_EXISTS: /);
  });

  it('names a row changed, a row removed and a file cut short', async () => {
    const changed = [...lines];
    const row = JSON.parse(changed[2]);
    changed[2] = JSON.stringify({ ...row, purpose: 'AUDIT' });
    const removed = lines.filter((_, i) => i !== 2);
    const cut = lines.slice(0, -1);
    const verdicts: string[] = [];
    for (const [name, content] of [['changed', changed], ['removed', removed], ['cut', cut]] as const) {
      const f = path.join(dir, `${name}.jsonl`);
      fs.writeFileSync(f, content.join('\n') + '\n');
      const res = await run('--check', f);
      expect(res.code).toBe(1);
      verdicts.push(res.out[0]);
    }
    expect(verdicts).toEqual([
      expect.stringMatching(/at line 3: row 2 was changed/),
      expect.stringMatching(/at line 3: row 3 where row 2 was due/),
      expect.stringMatching(/no end line: the file was cut short/),
    ]);
  });

  it('refuses a malformed day and a window that ends before it begins (exit 2), writing nothing', async () => {
    const f = path.join(dir, 'never.jsonl');
    expect((await run('--from', '2026-02-30', '--to', '2026-03-01', '--out', f)).out[0]).toMatch(/^error: MALFORMED_DATE: /);
    expect((await run('--from', '2026-03-02', '--to', '2026-03-01', '--out', f)).out[0]).toMatch(/^error: EMPTY_WINDOW: /);
    expect(fs.existsSync(f)).toBe(false);
  });
});
