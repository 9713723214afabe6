/**
 * Prose an earlier release stored with an ID number in clear (a case's summary, a transition's
 * reason, a meeting's notes and its dossier, a slip's ask, an override's reason, an alert's reason
 * and history), as an old hub wrote it, is masked by the upgrade step (provisionHub, which `npm
 * start` runs: db/setup/upgrades.ts), once: the API and the brief then answer it masked, text
 * without an ID number stays byte for byte as it was, two hub processes starting at once change
 * each row once between them, and running the step again changes nothing. Every table of
 * PROSE_TABLES gets a row of its own too, inserted as it is (foreign key checks off), so no
 * column of the list goes unchecked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HUB_MIGRATION_SETS, migrateUrl, provisionHub } from '../db/setup/provision';
import { getTableColumns, getTableName } from 'drizzle-orm';
import { DEADLINES_KEPT, DELIVERY_LINKED, DOSSIER_MINIMISED, NEEDS_SCREENED, NEEDS_SCREENED_FIRST, OWNER_CHANGE_OFFICES, PROSE_TABLES, SETTLEMENT_KEYED_UPGRADES, SETTLEMENT_TABLES, proseUpgradeName, runDataUpgrades, settlementUpgradeName } from '../db/setup/upgrades';
import { birthDateOf, makeIdNumber, maskIdNumber } from '../domain/id-number';
import { maskIdNumbersInText } from '../domain/privacy';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { caseOpened, wangHealthAndHousingSlips } from './support/cases';
import { writeWangJobLossAlert } from './support/alerts';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

jest.setTimeout(240_000);

/** Someone's ID number typed into prose: no member of the household, so no field shows it in clear. */
const OTHER = makeIdNumber('370811', '1980-05-05', 17);
const OLD = '370811800505171';
const MASKED = maskIdNumber(OTHER);
const withId = (before: string) => `${before}（身份证 ${OTHER}）`;
/** Prose without an ID number, with what a naive rewrite would touch: full-width digits and colon, a trailing full-width space, a line break. */
const PLAIN = '电话：１３８００１３８０００，\n住院 12 天　';

let dbs: TestDatabases;
let hub: TestHub;
let caseId: string;
let earlierCaseId: string;
let alertId: string;

type Snapshot = Record<string, string | null>;

/** A drizzle table's column names by property. */
const columnNames = (table: Parameters<typeof getTableColumns>[0]) => Object.fromEntries(Object.entries(getTableColumns(table)).map(([k, c]) => [k, c.name]));

/** Every prose column of every row of PROSE_TABLES, as hex (byte for byte), keyed `table.column#key`. */
async function prose(): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const t of PROSE_TABLES) {
    const name = getTableName(t.table);
    const columns = columnNames(t.table);
    for (const p of [...t.prose, ...(t.dossier ? [t.dossier] : [])]) {
      const [rows] = (await dbs.hubPool.query(`SELECT ${columns[t.key]} AS k, HEX(${columns[p]}) AS h FROM ${name}`)) as unknown as [{ k: number; h: string | null }[]];
      for (const r of rows) out[`${name}.${columns[p]}#${r.k}`] = r.h;
    }
  }
  return out;
}

const text = (hex: string | null) => (hex === null ? null : Buffer.from(hex, 'hex').toString('utf8'));

/**
 * The database as the release before this one left it: jobs migrations 0001 (data_upgrade and its
 * rows) and 0002 (the stored dossiers' minimisation) not yet run.
 */
async function asBeforeTheUpgrade(): Promise<void> {
  const journal = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'db', 'jobs', 'migrations', 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  const entry = journal.entries.find((e) => e.tag === '0001_data_upgrade')!;
  await dbs.hubPool.query('DROP TABLE data_upgrade');
  await dbs.hubPool.query('DELETE FROM __drizzle_migrations_jobs WHERE created_at >= ?', [entry.when]);
}

/**
 * One row of `table` as an old hub could have left it, every column filled: NOT NULL ones without a
 * default by type, prose columns with `prose(column)`. Inserted with foreign key checks off (the
 * parents do not matter to the upgrade). Its key.
 */
async function insertRowOf(table: string, fill: (column: string) => string | null, n: number): Promise<number> {
  const [cols] = (await dbs.hubPool.query(
    'SELECT column_name AS c, data_type AS t, column_type AS ct, is_nullable AS nul, column_default AS d, extra AS e, column_key AS k FROM information_schema.columns WHERE table_schema = database() AND table_name = ? ORDER BY ordinal_position',
    [table],
  )) as unknown as [{ c: string; t: string; ct: string; nul: string; d: string | null; e: string; k: string }[]];
  const values: Record<string, unknown> = {};
  for (const col of cols) {
    const given = fill(col.c);
    if (given !== null) values[col.c] = given;
    else if (col.k === 'PRI') values[col.c] = 900_000 + n;
    else if (col.nul === 'YES' || col.d !== null || col.e.includes('auto_increment')) continue;
    else if (col.t === 'enum') values[col.c] = /'([^']*)'/.exec(col.ct)![1];
    else if (col.t === 'tinyint') values[col.c] = 1;
    else if (/int|decimal/.test(col.t)) values[col.c] = 800 + n;
    else if (col.t === 'date') values[col.c] = '2026-01-01';
    else if (col.t === 'datetime' || col.t === 'timestamp') values[col.c] = '2026-01-01 00:00:00';
    else values[col.c] = `u${n}`;
  }
  const conn = await dbs.hubPool.getConnection();
  try {
    await conn.query('SET FOREIGN_KEY_CHECKS = 0');
    await conn.query(`INSERT INTO ${table} SET ?`, [values]);
    await conn.query('SET FOREIGN_KEY_CHECKS = 1');
  } finally {
    conn.release();
  }
  return 900_000 + n;
}

const READ_CASE = `query($id: ID!) { case(id: $id) { summary history { reason } meetings { notes dossier { earlierCases { summary } referrals { ask } } decisionChecks { overrideReason } } referrals { ask } } }`;
const READ_ALERT = `query($id: ID!) { alert(id: $id) { reason history { reason } } }`;

let before: Snapshot;
/** The members' ages in the meeting's dossier as this release stores it. */
let ages: number[];
const OLD_ADDRESS = '任城区古槐街道南门社区 3 号';
/** The rows of the scenario and of every table whose prose holds an ID number. */
let holdingIds: string[];

beforeAll(async () => {
  dbs = await createTestDatabases('prose_upgrade');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING' });
  // As an old hub stored them: typed in clear, before the meeting (its dossier keeps the earlier case's summary as it was).
  earlierCaseId = await caseOpened(hub.gql, wangId, '临时救助', '2026-02-01T09:00:00+08:00');
  await dbs.hubPool.query('UPDATE aid_case SET summary = ? WHERE id = ?', [`申请人 ${OTHER.slice(0, 6)} ${OTHER.slice(6, 14)} ${OTHER.slice(14)} 遭遇火灾`, earlierCaseId]);
  ({ caseId } = await wangHealthAndHousingSlips(hub, wangId, 'prose-upgrade'));
  await dbs.hubPool.query('UPDATE aid_case SET summary = ? WHERE id = ?', [withId('住院及住房困难'), caseId]);
  await dbs.hubPool.query("UPDATE case_event SET reason = ? WHERE case_id = ? AND action = 'TRANSITIONED' AND to_state = 'ACCEPTED'", [`旧身份证 ${OLD} 已核`, caseId]);
  await dbs.hubPool.query("UPDATE case_event SET reason = ? WHERE case_id = ? AND action = 'TRANSITIONED' AND to_state = 'INVESTIGATING'", [PLAIN, caseId]);
  await dbs.hubPool.query('UPDATE case_meeting SET notes = ? WHERE case_id = ?', [withId('会议纪要'), caseId]);
  // As a hub before dossier version 3 stored it: every member's birth date and the household's address, no age.
  const [[meeting]] = (await dbs.hubPool.query('SELECT id, dossier_json AS j FROM case_meeting WHERE case_id = ?', [caseId])) as unknown as [{ id: number; j: string }[]];
  const stored = JSON.parse(meeting.j);
  ages = stored.members.map((m: { age: number }) => m.age);
  stored.version = 2;
  stored.household.address = OLD_ADDRESS;
  stored.members = stored.members.map(({ age: _age, ...m }: { age: number; idNumber: string }) => ({ ...m, birthDate: birthDateOf(m.idNumber) }));
  await dbs.hubPool.query('UPDATE case_meeting SET dossier_json = ? WHERE id = ?', [JSON.stringify(stored), meeting.id]);
  await dbs.hubPool.query("UPDATE referral_slip SET ask = ? WHERE case_id = ? AND to_office = 'HEALTH'", [withId('医疗救助'), caseId]);
  await dbs.hubPool.query("UPDATE referral_slip SET ask = ? WHERE case_id = ? AND to_office = 'HOUSING'", [PLAIN, caseId]);
  await dbs.hubPool.query('UPDATE decision_check SET override_reason = ? WHERE override_reason IS NOT NULL', [withId('改为实物配租')]);
  alertId = await writeWangJobLossAlert(dbs, { identity: 'prose-upgrade', householdId: wangId, now: () => new Date(`${TODAY}T02:00:00.000Z`) });
  await dbs.hubPool.query('UPDATE monitoring_alert SET reason = ? WHERE id = ?', [withId('核实无误'), alertId]);
  await dbs.hubPool.query('UPDATE monitoring_alert_event SET reason = ? WHERE alert_id = ?', [withId('签收'), alertId]);
  // Every other table of prose, one row with an ID number and one without.
  let n = 0;
  for (const t of PROSE_TABLES) {
    const name = getTableName(t.table);
    const columns = columnNames(t.table);
    const proseColumns = new Set(t.prose.map((p) => columns[p]));
    const dossierColumn = t.dossier ? columns[t.dossier] : null;
    for (const clear of [true, false]) {
      n += 1;
      const dossier = JSON.stringify({ version: 2, earlierCases: [{ id: 1, summary: clear ? withId('旧案') : PLAIN, explanation: null }], referrals: [{ id: 1, ask: clear ? withId('请') : PLAIN, feedback: null, declineReason: null }], history: [{ reason: clear ? withId('因') : PLAIN }], members: [{ idNumber: WANG.head }] });
      await insertRowOf(name, (c) => (proseColumns.has(c) ? (clear ? withId(`${name}.${c}`) : PLAIN) : c === dossierColumn ? dossier : null), n);
    }
  }
  before = await prose();
  holdingIds = Object.keys(before).filter((k) => new RegExp(`${OTHER}|${OLD}`).test((text(before[k]) ?? '').replace(/\s/g, '')));
  // Every prose column of the list holds an ID number in some row: none goes unchecked.
  const everyColumn = PROSE_TABLES.flatMap((t) => [...t.prose, ...(t.dossier ? [t.dossier] : [])].map((p) => `${getTableName(t.table)}.${columnNames(t.table)[p]}#`));
  expect(everyColumn.filter((c) => !holdingIds.some((k) => k.startsWith(c)))).toEqual([]);
  await asBeforeTheUpgrade();
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('the upgrade step', () => {
  it('the API answers the old prose in clear before it (what the upgrade is for)', async () => {
    const res = await hub.gql(READ_CASE, { id: caseId });
    expect(JSON.stringify(res.data)).toContain(OTHER);
  });

  it('masks every stored prose once, two processes at once changing each row once between them', async () => {
    // The first process migrates (jobs 0001 adds the upgrade's rows, unfinished); both then upgrade,
    // one through provisionHub as `npm start` does, the other in batches of two rows.
    await migrateUrl(dbs.hubUrl, HUB_MIGRATION_SETS.find((s) => s.feature === 'jobs')!.folder, HUB_MIGRATION_SETS.find((s) => s.feature === 'jobs')!.table);
    const [a, b] = await Promise.all([provisionHub(dbs.hubUrl), runDataUpgrades(dbs.hub, { batch: 2 })]);
    const changed = [...a, ...b].filter((r) => r.upgrade !== DOSSIER_MINIMISED).reduce((s, r) => s + r.rowsChanged, 0);
    const rowsHoldingIds = new Set(holdingIds.map((k) => k.replace(/\.[a-z_]+#/, '#')));
    expect(changed).toBe(rowsHoldingIds.size);
    const after = await prose();
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const [k, hex] of Object.entries(after)) {
      const was = text(before[k]);
      if (holdingIds.includes(k)) {
        if (!k.startsWith('case_meeting.dossier_json')) expect(text(hex)).toBe(maskIdNumbersInText(was!));
        expect(text(hex)).not.toContain(OTHER);
        expect(text(hex)).not.toContain(OLD);
      } else expect(hex).toBe(before[k]);
    }
    // The stored dossiers: prose masked, a member's ID number (a field of its own) as it was.
    for (const k of holdingIds.filter((x) => x.startsWith('case_meeting.dossier_json'))) {
      const d = JSON.parse(text(after[k])!);
      expect(JSON.stringify(d)).not.toContain(OTHER);
      expect(JSON.stringify(d)).toContain(MASKED);
      expect(d.members[0].idNumber).toBe(WANG.head);
    }
    const [state] = (await dbs.hubPool.query('SELECT name, finished_at IS NOT NULL AS done FROM data_upgrade ORDER BY name')) as unknown as [{ name: string; done: number }[]];
    expect(state).toEqual([...PROSE_TABLES.map((t) => ({ name: proseUpgradeName(t), done: 1 })), { name: DOSSIER_MINIMISED, done: 1 }, { name: NEEDS_SCREENED_FIRST, done: 1 }, { name: NEEDS_SCREENED, done: 1 }, ...SETTLEMENT_TABLES.map((t) => ({ name: settlementUpgradeName(t), done: 1 })), ...[...SETTLEMENT_KEYED_UPGRADES].map((name) => ({ name, done: 1 })), { name: DELIVERY_LINKED, done: 1 }, { name: OWNER_CHANGE_OFFICES, done: 1 }, { name: DEADLINES_KEPT, done: 1 }].sort((x, y) => x.name.localeCompare(y.name)));
    // The meeting's dossier, stored with birth dates and the address before version 3: neither is left, each member's age is (dossier version kept).
    const [[meeting]] = (await dbs.hubPool.query('SELECT dossier_json AS j FROM case_meeting WHERE case_id = ?', [caseId])) as unknown as [{ j: string }[]];
    expect(meeting.j).not.toMatch(/birthDate|address|南门社区 3 号/);
    const minimised = JSON.parse(meeting.j);
    expect(minimised.members.map((m: { age: number }) => m.age)).toEqual(ages);
    expect(minimised.version).toBe(2);
    expect([...a, ...b].filter((r) => r.upgrade === DOSSIER_MINIMISED)).toEqual([{ upgrade: DOSSIER_MINIMISED, table: 'case_meeting', rowsChanged: 1 }]);
  });

  it('the API and the brief answer it masked', async () => {
    const res = await hub.gql(READ_CASE, { id: caseId });
    expect(res.errors).toBeUndefined();
    const c = res.data.case;
    expect(c.summary).toBe(`住院及住房困难（身份证 ${MASKED}）`);
    expect(c.history.map((e: { reason: string | null }) => e.reason)).toEqual(expect.arrayContaining(['旧身份证 370811******171 已核', PLAIN]));
    expect(c.meetings[0].notes).toBe(`会议纪要（身份证 ${MASKED}）`);
    expect(c.meetings[0].dossier.earlierCases.map((e: { summary: string }) => e.summary)).toEqual([`申请人 ${MASKED} 遭遇火灾`]);
    expect(c.referrals.map((r: { ask: string }) => r.ask).sort()).toEqual([`医疗救助（身份证 ${MASKED}）`, PLAIN].sort());
    expect(c.meetings[0].decisionChecks.map((d: { overrideReason: string | null }) => d.overrideReason)).toContain(`改为实物配租（身份证 ${MASKED}）`);
    const earlier = await hub.gql(`query($id: ID!) { case(id: $id) { summary } }`, { id: earlierCaseId });
    expect(earlier.data.case.summary).toBe(`申请人 ${MASKED} 遭遇火灾`);
    const alert = await hub.gql(READ_ALERT, { id: alertId });
    expect(alert.errors).toBeUndefined();
    expect(alert.data.alert.reason).toBe(`核实无误（身份证 ${MASKED}）`);
    expect(alert.data.alert.history.map((e: { reason: string }) => e.reason)).toEqual([`签收（身份证 ${MASKED}）`]);
    for (const answer of [res, earlier, alert]) expect(JSON.stringify(answer)).not.toMatch(new RegExp(`${OTHER}|${OLD}`));
    const brief = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders });
    expect(brief.status).toBe(200);
    const html = await brief.text();
    expect(html).toContain(MASKED);
    expect(html).not.toContain(OTHER);
  });

  it('run again, its migration too, changes nothing', async () => {
    const once = await prose();
    const [counts] = await dbs.hubPool.query('SELECT name, resume_after, rows_changed, finished_at FROM data_upgrade ORDER BY name');
    // The migration again, as a start stopped before its journal row was written runs it: it keeps the upgrade's progress.
    for (const file of ['0001_data_upgrade.sql', '0002_privacy_upgrades.sql']) {
      const migration = fs.readFileSync(path.join(__dirname, '..', 'db', 'jobs', 'migrations', file), 'utf8');
      for (const statement of migration.split('--> statement-breakpoint')) await dbs.hubPool.query(statement);
    }
    expect(await provisionHub(dbs.hubUrl)).toEqual([]);
    expect(await runDataUpgrades(dbs.hub, { batch: 2 })).toEqual([]);
    expect(await prose()).toEqual(once);
    expect((await dbs.hubPool.query('SELECT name, resume_after, rows_changed, finished_at FROM data_upgrade ORDER BY name'))[0]).toEqual(counts);
  });
});
