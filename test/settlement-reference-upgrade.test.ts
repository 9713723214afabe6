/**
 * Settlement numbers an earlier release stored as typed (full-width digits, spaces around), before
 * they were read as typed (domain/aid.ts settlementReferenceOf), are rewritten in their read form by
 * the upgrade step (db/setup/upgrades.ts SETTLEMENT_TABLES), once: the charity's aid then counts in
 * its stay's sum (X7), the record sent again is still alreadyRecorded (its content hash is the one
 * of the record as sent, untouched), the audit trail is not touched, and running the step again
 * changes nothing. Through a real hub over a real hub database written as an old hub wrote it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { provisionHub } from '../db/setup/provision';
import { SETTLEMENT_TABLES, runDataUpgrades, settlementKeyedName, settlementUpgradeName } from '../db/setup/upgrades';
import { recordReportedAid } from '../db/reported-aid/store';
import type { TestDatabases } from './support/databases';
import type { TestHub } from './support/hub';
import { TODAY } from './support/scenarios';
import { fullWidth, settlementStay } from './support/settlement-stay';

jest.setTimeout(240_000);

const SETL_ID = '3708112026020600000054321';
const TYPED = fullWidth(SETL_ID);
/**
 * A reference holding a compatibility character: NFKC read ㍱ as `hPa`, longer than a slip's column
 * (30), and the row was left; only full width is read now (typedCode), ㍱ kept, and it fits.
 */
const TOO_LONG = `${'１'.repeat(29)}㍱`;

let PATIENT: string;
let dbs: TestDatabases;
let hub: TestHub;
let charity: { gql: TestHub['gql'] };
let charityName: string;

/** The old charity record, as its charity sends it again. */
let old: { reference: string; beneficiaryIdNumber: string; programme: string; grantDate: string; amountFen: number; settlementRef: string };

const CHECK = `query($i: PreGrantCheckInput!) { preGrantCheck(input: $i) { clear complete conflicts settlementUnknown findings { rule { id } } } }`;
const REPORT = `mutation($in: AidReportInput!) { aidReport(input: $in) { recorded alreadyRecorded userErrors { code } } }`;

async function check(amountFen: number) {
  const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { i: { beneficiaryIdNumber: PATIENT, programme: 'MEDICAL_AID', grantDate: TODAY, amountFen, settlementReference: SETL_ID } });
  expect(res.errors).toBeUndefined();
  return res.data.preGrantCheck;
}

/** One row of `table` with `given` columns, the other NOT NULL ones filled by type; foreign key checks off (the parents do not matter here). */
async function insertRow(table: string, given: Record<string, unknown>): Promise<number> {
  const [cols] = (await dbs.hubPool.query(
    'SELECT column_name AS c, data_type AS t, column_type AS ct, is_nullable AS nul, column_default AS d, extra AS e FROM information_schema.columns WHERE table_schema = database() AND table_name = ?',
    [table],
  )) as unknown as [{ c: string; t: string; ct: string; nul: string; d: string | null; e: string }[]];
  const values: Record<string, unknown> = { ...given };
  for (const col of cols) {
    if (col.c in values || col.nul === 'YES' || col.d !== null || col.e.includes('auto_increment')) continue;
    if (col.t === 'enum') values[col.c] = /'([^']*)'/.exec(col.ct)![1];
    else if (/int|decimal/.test(col.t)) values[col.c] = 1;
    else if (col.t === 'date') values[col.c] = '2026-02-10';
    else if (col.t === 'datetime' || col.t === 'timestamp') values[col.c] = '2026-02-10 00:00:00';
    else values[col.c] = `u${Object.keys(values).length}`;
  }
  const conn = await dbs.hubPool.getConnection();
  try {
    await conn.query('SET FOREIGN_KEY_CHECKS = 0');
    const [res] = (await conn.query(`INSERT INTO ${table} SET ?`, [values])) as unknown as [{ insertId: number }];
    await conn.query('SET FOREIGN_KEY_CHECKS = 1');
    return res.insertId;
  } finally {
    conn.release();
  }
}

/** Every stored settlement reference, as hex (byte for byte), with the ledger's content hashes, keyed `table#id`. */
async function stored(): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const [table, column] of [['reported_aid', 'settlement_ref'], ['referral_slip', 'settlement_ref'], ['charity_delivery', 'settlement_reference']]) {
    const [rows] = (await dbs.hubPool.query(`SELECT id, HEX(${column}) AS h FROM ${table}`)) as unknown as [{ id: number; h: string | null }[]];
    for (const r of rows) out[`${table}#${r.id}`] = r.h;
  }
  const [hashes] = (await dbs.hubPool.query('SELECT id, content_hash AS h FROM reported_aid')) as unknown as [{ id: number; h: string }[]];
  for (const r of hashes) out[`reported_aid.content_hash#${r.id}`] = r.h;
  return out;
}

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();

/** The audit trail as it stands: every row, its chain hashes among them. */
async function auditTrail(): Promise<string> {
  const [rows] = await dbs.hubPool.query('SELECT * FROM access_log ORDER BY seq');
  const [head] = await dbs.hubPool.query('SELECT * FROM access_log_head');
  return JSON.stringify([rows, head]);
}

/** The upgrades named `prefix…` run by a start and a second process at once, a row a batch: rows changed in the ledger, the slips, the deliveries; the audit trail untouched. */
async function upgradedAtOnce(prefix: string): Promise<number[]> {
  const trail = await auditTrail();
  const [a, b] = await Promise.all([provisionHub(dbs.hubUrl), runDataUpgrades(dbs.hub, { batch: 1 })]);
  expect(await auditTrail()).toBe(trail);
  const changed = [...a, ...b].filter((r) => r.upgrade.startsWith(prefix));
  return ['reported_aid', 'referral_slip', 'charity_delivery'].map((table) => changed.filter((r) => r.table === table).reduce((s, r) => s + r.rowsChanged, 0));
}

/** Run again, `migration` (the one adding the upgrades named `prefix…`) too: nothing stored changes, nor the upgrades' progress. */
async function unchangedRunAgain(prefix: string, migration: string): Promise<void> {
  const once = await stored();
  const progress = async () => (await dbs.hubPool.query('SELECT name, resume_after, rows_changed, finished_at FROM data_upgrade WHERE name LIKE ? ORDER BY name', [`${prefix}%`]))[0];
  const counts = await progress();
  await dbs.hubPool.query(fs.readFileSync(path.join(__dirname, '..', 'db', 'jobs', 'migrations', migration), 'utf8'));
  expect(await provisionHub(dbs.hubUrl)).toEqual([]);
  expect(await runDataUpgrades(dbs.hub, { batch: 1 })).toEqual([]);
  expect(await stored()).toEqual(once);
  expect(await progress()).toEqual(counts);
}

let slips: { typed: number; tooLong: number };
let deliveries: { typed: number; ascii: number };

beforeAll(async () => {
  // A stay with ¥4,000 out of pocket.
  ({ dbs, hub, patient: PATIENT, charity, charityName } = await settlementStay({ database: 'settlement_upgrade', setlId: SETL_ID, prefix: 'SU', seq: 42, charityClient: 'test-charity-setl-upgrade', creditCodeBase: '53370800MJD67891X' }));

  // As a hub before settlement numbers were read as typed recorded them: as sent (trimmed), hashed so.
  old = { reference: 'CM-UPGRADE-0001', beneficiaryIdNumber: PATIENT, programme: 'CHARITY_MEDICAL', grantDate: '2026-02-10', amountFen: 300_000, settlementRef: `\u3000${TYPED} ` };
  const asStored = { entryKind: 'AID' as const, supersedesReference: null, periodStart: null, periodEnd: null, caseReference: null, needId: null };
  await dbs.hub.transaction((tx) =>
    recordReportedAid(tx as never, [{ ...old, settlementRef: old.settlementRef.trim(), ...asStored }], { clientName: charityName, officer: null, office: 'CHARITY', creditCode: null }),
  );
  // A meeting's decision and a charity's delivery on the stay as typed; one slip's number too long for the column once read.
  slips = {
    typed: await insertRow('referral_slip', { kind: 'DECISION', programme_code: 'MEDICAL_AID', settlement_ref: TYPED }),
    tooLong: await insertRow('referral_slip', { kind: 'DECISION', programme_code: 'MEDICAL_AID', settlement_ref: TOO_LONG }),
  };
  deliveries = {
    typed: await insertRow('charity_delivery', { reference: 'D-UPGRADE-1', settlement_reference: ` ${TYPED}` }),
    ascii: await insertRow('charity_delivery', { reference: 'D-UPGRADE-2', settlement_reference: SETL_ID }),
  };
  // The hub's start upgraded an empty database: as the first start of this release finds it, unfinished.
  await dbs.hubPool.query("UPDATE data_upgrade SET resume_after = 0, rows_changed = 0, finished_at = NULL WHERE name LIKE 'settlement-read:%'");
}, 240_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

test('every stored settlement reference column has its upgrades', () => {
  expect(SETTLEMENT_TABLES.map(settlementUpgradeName).sort()).toEqual(['settlement-read:charity_delivery', 'settlement-read:referral_slip', 'settlement-read:reported_aid']);
  expect(SETTLEMENT_TABLES.map(settlementKeyedName).sort()).toEqual(['settlement-keyed:charity_delivery', 'settlement-keyed:referral_slip', 'settlement-keyed:reported_aid']);
});

test('before the upgrade, the charity’s aid on the stay as typed is not dropped where the server returns it', async () => {
  // ¥3,000 from the charity and ¥2,000 of medical aid: ¥5,000 on a ¥4,000 burden. MariaDB's
  // `utf8mb4_general_ci` takes full-width digits for ASCII ones, so the row comes back for the stay;
  // it was dropped as another stay's (clear), and is now read as the hub keys stays
  // (federation/settlement-refs.ts). A binary collation (TiDB's default) returns it only once the
  // upgrade below has rewritten it, which is what the upgrade is for.
  expect(await check(200_000)).toMatchObject({ clear: false, conflicts: 1 });
});

test('the upgrade writes every stored settlement reference as read, content hashes and the audit trail untouched; X7 then counts the old aid', async () => {
  const before = await stored();
  expect(await upgradedAtOnce('settlement-read:')).toEqual([1, 2, 1]);
  const after = await stored();
  const [[ledger]] = (await dbs.hubPool.query('SELECT id FROM reported_aid WHERE reference = ?', [old.reference])) as unknown as [{ id: number }[]];
  const expected = {
    ...before,
    [`reported_aid#${ledger.id}`]: hex(SETL_ID),
    [`referral_slip#${slips.typed}`]: hex(SETL_ID),
    [`charity_delivery#${deliveries.typed}`]: hex(SETL_ID),
    [`referral_slip#${slips.tooLong}`]: hex(`${'1'.repeat(29)}㍱`),
  };
  expect(after).toEqual(expected);
  expect(after[`charity_delivery#${deliveries.ascii}`]).toBe(hex(SETL_ID));
  const [state] = (await dbs.hubPool.query("SELECT name, finished_at IS NOT NULL AS done FROM data_upgrade WHERE name LIKE 'settlement-read:%' ORDER BY name")) as unknown as [{ name: string; done: number }[]];
  expect(state.every((s) => s.done === 1)).toBe(true);

  expect(await check(200_000)).toMatchObject({ clear: false, complete: true, conflicts: 1, findings: [{ rule: { id: 'X7' } }] });
  expect(await check(100_000)).toMatchObject({ clear: true, conflicts: 0 });
});

test('the old record sent again as it was sent is still alreadyRecorded', async () => {
  const res = await charity.gql(REPORT, { in: { records: [old] } });
  expect(res.errors).toBeUndefined();
  expect(res.data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 1, userErrors: [] });
});

test('run again, its migration too, changes nothing', async () => {
  await unchangedRunAgain('settlement-read:', '0003_settlement_read.sql');
});

describe('a hub that read settlement numbers as typed before their letters were upper-cased', () => {
  /** A stay whose reference holds letters, as the earlier release stored it: read as typed, case kept. */
  const LOWER = 'setl2026x0206';
  const KEYED = 'SETL2026X0206';
  let lower: { ledger: number; slip: number; delivery: number };
  /** The charity record as its charity sent it: full-width, lower case (hashed by the earlier release as `setl…`). */
  let sent: typeof old;

  beforeAll(async () => {
    sent = { ...old, reference: 'CM-KEYED-0001', amountFen: 1_000, settlementRef: fullWidth(LOWER) };
    const asStored = { entryKind: 'AID' as const, supersedesReference: null, periodStart: null, periodEnd: null, caseReference: null, needId: null };
    await dbs.hub.transaction((tx) => recordReportedAid(tx as never, [{ ...sent, settlementRef: LOWER, ...asStored }], { clientName: charityName, officer: null, office: 'CHARITY', creditCode: null }));
    const [[ledger]] = (await dbs.hubPool.query('SELECT id FROM reported_aid WHERE reference = ?', [sent.reference])) as unknown as [{ id: number }[]];
    lower = {
      ledger: ledger.id,
      slip: await insertRow('referral_slip', { kind: 'DECISION', programme_code: 'MEDICAL_AID', settlement_ref: LOWER }),
      delivery: await insertRow('charity_delivery', { reference: 'D-KEYED-1', settlement_reference: LOWER }),
    };
    // The hub ran settlement-read already; jobs migration 0005 adds settlement-keyed unfinished.
    await dbs.hubPool.query("UPDATE data_upgrade SET resume_after = 0, rows_changed = 0, finished_at = NULL WHERE name LIKE 'settlement-keyed:%'");
  });

  test('the upgrade writes them as the hub keys stays, once; content hashes and the audit trail untouched; run again, nothing changes', async () => {
    const before = await stored();
    expect(await upgradedAtOnce('settlement-keyed:')).toEqual([1, 1, 1]);
    expect(await stored()).toEqual({
      ...before,
      [`reported_aid#${lower.ledger}`]: hex(KEYED),
      [`referral_slip#${lower.slip}`]: hex(KEYED),
      [`charity_delivery#${lower.delivery}`]: hex(KEYED),
    });
    await unchangedRunAgain('settlement-keyed:', '0005_settlement_keyed.sql');
  });

  test('the record sent again as it was sent (full-width, lower case) is still alreadyRecorded', async () => {
    const res = await charity.gql(REPORT, { in: { records: [sent] } });
    expect(res.errors).toBeUndefined();
    expect(res.data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 1, userErrors: [] });
  });
});
