/**
 * TiDB, proved statically (no TiDB server can run here): every migration and every SQL statement in
 * the code stays within what TiDB runs the way MySQL and MariaDB do (db/tidb.ts says what and why).
 * That MariaDB accepts the TiDB-only comments is proved by every other test: they all run on
 * databases these migrations created.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { codeProblems, enumChangeProblems, foreignKeys, lockingReadProblems, lockingReads, migrationProblems, splitStatements, statementProblems, TIDB_AUTO_ID_CACHE, withAutoIdCache } from '../db/tidb';

const ROOT = path.join(__dirname, '..');
const tracked = (pattern: string) => execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', pattern], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').filter(Boolean);
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

const MIGRATIONS = tracked('*.sql').filter((f) => /(^|\/)migrations[^/]*\//.test(f));
/** Files that name the forbidden constructs on purpose: the rules and this test. */
const RULE_FILES = new Set(['db/tidb.ts', 'test/tidb-lint.test.ts']);
const CODE = tracked('*.ts').filter((f) => !RULE_FILES.has(f));

/** The rules a migration statement breaks, of UPDATE_READS_ASSIGNED alone. */
const updateMigrationRules = (statement: string) => migrationProblems(statement).map((p) => p.rule).filter((r) => r === 'UPDATE_READS_ASSIGNED');

/** Comments may speak of anything; only code runs. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/**
 * Every locking read in the code, reviewed: each locks single rows by a primary or unique key,
 * never a range, so none relies on the gap locks TiDB does not take. A new one fails this test
 * until it is reviewed and added here with its reason.
 */
const LOCKING_READS: Record<string, { line: string; why: string }[]> = {
  'access/admin-audit.ts': [{ line: "where(eq(accessLogHead.id, 1)).for('update')", why: 'the chain head, as the hub\'s appends lock it: one row by primary key' }],
  'access/audit.ts': [
    { line: 'FROM access_log_head WHERE id = 1 FOR UPDATE`', why: 'the chain head: one row by primary key' },
    { line: 'FROM access_log_head WHERE id = 1 FOR UPDATE NOWAIT', why: 'the next append\'s chain head, locked with a write\'s COMMIT: one row by primary key, refused rather than waited for when another process holds it' },
  ],
  'db/alert-delivery/outbox.ts': [{ line: "where(eq(alertSubscriptionLock.name, SUBSCRIBERS.name)).for('update')", why: 'the subscription lock: one row by primary key; alert writers and a deliverOpen create take turns, so an alert and a new subscription meet once' }],
  'db/alert-delivery/store.ts': [
    { line: ".for('update');", why: 'dead letters being replayed, by primary key (IN list of ids just read): rows that exist; two replays at once queue, and the second finds them PENDING' },
    { line: "where(eq(apiClient.name, clientName)).for('update')", why: 'one API client by its unique name: creates of subscriptions for one client take turns (no two identical ones)' },
  ],
  'db/cases/seals.ts': [
    { line: "where(eq(caseSealHead.id, 1)).for('update')", why: "the case records' seal chain head, locked by a case write as its last statement before COMMIT: one row by primary key" },
    { line: "where(eq(caseSealHead.id, 1)).for('update')", why: 'the same head, at the first start that seals the rows standing (made there when missing)' },
    { line: "where(eq(caseSealHead.id, 1)).for('update')", why: "the same head, first in each batch of that sealing: its cursor is read and moved under it, so two starts take batches in turn; no other lock follows (the batch's reads do not lock)" },
  ],
  'db/cases/store.ts': [{ line: "where(eq(referralSlip.id, referralId)).for('update')", why: 'one slip by primary key, its reminder spent: an answer of the slip and its reminder take turns, so no reminder is queued of a slip answered meanwhile' }],
  'db/cases/write.ts': [
    { line: 'where(eq(aidCase.id, caseId)).for(\'update\')', why: 'one case by primary key' },
    {
      line: "where(eq(householdDecisionLock.householdId, householdId)).for('update')",
      why: "one household's decision turn by primary key, a row made first by INSERT … ON DUPLICATE KEY UPDATE: decisions of the household's cases take turns, each compared with the latest count",
    },
  ],
  'db/charity/store.ts': [
    { line: "where(eq(charityNeed.id, needId)).for('update')", why: 'one need by primary key: pledges and deliveries to it queue (no over-funding)' },
    { line: "where(eq(charityConsent.id, v.consentId)).for('update')", why: 'one consent by primary key: a need published under it and its revocation queue (no open need under a revoked consent)' },
    { line: "where(eq(charityOrganisationLock.creditCode, creditCode)).for('update')", why: 'one organisation by primary key (its credit code, its lock row made just before when missing): a charity delivery and an aidReport of its aid queue, each comparing with what the other wrote (SAME_AS_REPORTED_AID, SAME_AS_CHARITY_DELIVERY)' },
  ],
  'db/findings/store.ts': [
    {
      line: ".for('update');",
      why: 'findings by their unique fingerprint (IN list): rows that exist; new fingerprints are written by INSERT … ON DUPLICATE KEY UPDATE, which needs no gap lock, and overlapping scans are refused at start',
    },
    { line: "where(eq(finding.fingerprint, fingerprint)).for('update')", why: 'one finding by its unique fingerprint' },
  ],
  'db/setup/provision.ts': [{ line: '${BEGIN_LOCKING_SQL}; SELECT id FROM hub_migration_lock WHERE id = 1 FOR UPDATE', why: 'the migration lock: one row by primary key, made first by INSERT IGNORE; processes starting at once migrate in turn' }],
  'db/jobs/lease.ts': [
    { line: 'FROM job_lease WHERE job_key = ${jobKey} FOR UPDATE', why: 'one lease row by primary key (a mutex row that exists: ensureLeaseRow)' },
    { line: 'FROM job_lease WHERE job_key = ${lease.jobKey} FOR UPDATE', why: 'the fence: one lease row by primary key' },
  ],
  'db/monitoring/store.ts': [
    { line: ".for('update');", why: "a delivery round's alerts by primary key (IN list): rows that exist, locked before their DELIVERED events are numbered, as every other move locks its alert's row first" },
    { line: ".for('update');", why: 'the alerts still marked as holding 0008\'s default decision day, by primary key (IN list): counted by the first process to lock each, a raise of one waiting meanwhile' },
    { line: "const [before] = await tx.select().from(monitoringAlert).where(eq(monitoringAlert.id, alertId)).for('update')", why: 'one alert by primary key: moves of one alert take turns, each judged on the state the one before left' },
    { line: "const [before] = await tx.select().from(monitoringAlert).where(eq(monitoringAlert.id, alertId)).for('update')", why: 'one alert by primary key, taken over: a takeover and a move of the alert take turns, so it is judged on its verifier and state as left' },
    { line: "const [now] = await tx.select({ state: monitoringAlert.state }).from(monitoringAlert).where(eq(monitoringAlert.id, alertId)).for('update')", why: 'the same alert by primary key, re-read when a move lost anyway: its committed state, not the snapshot' },
    { line: "const [before] = await tx.select().from(monitoringAlert).where(eq(monitoringAlert.id, read.id)).for('update')", why: 'one alert by primary key, its dates counted again: a recount and a move take turns, so an alert dismissed after the recount read it keeps the dates of its ended periods' },
  ],
  'db/reported-aid/store.ts': [
    { line: "const locked = await tx.select().from(reportedAid).where(inList(reportedAid.id, targetIds)).for('update');", why: 'the ledger entries a batch supersedes, by primary key (IN list of ids just read): rows that exist; two corrections of one entry take turns, and the second finds it superseded' },
  ],
  'db/setup/upgrades.ts': [
    { line: "const [state] = await tx.select().from(dataUpgrade).where(eq(dataUpgrade.name, name)).for('update');", why: "one data upgrade's row by primary key (made by its migration): two hub processes starting at once take its batches in turns, each from where the other stopped" },
    { line: "const locked = (await tx.select(fields).from(t.table).where(inArray(key, toChange)).for('update')) as Row[];", why: 'the rows of a batch whose prose changes, by primary key (IN list of keys just read): rows that exist, re-read as committed so a write meanwhile is masked, not overwritten' },
  ],
  'test/statement-refused.test.ts': [
    { line: "holder.query('SELECT id FROM refusal_probe WHERE id = 1 FOR UPDATE')", why: 'one row of a test table by primary key, held so that the read below times out its lock wait (1205)' },
    { line: "waiter.query('SELECT id FROM refusal_probe WHERE id = 1 FOR UPDATE')", why: 'the same row, asked for by a second connection to wait for it and time out (1205, which stays UNREACHABLE)' },
  ],
  'test/reported-aid.test.ts': [
    { line: "select id from reported_aid where reporter_client = 'test-emergency' and reference = 'RACE-1' for update", why: 'one ledger entry by its unique key, held to make two corrections of it wait together' },
    { line: "select id from reported_aid where reporter_client = 'test-emergency' and reference = ${held} for update", why: 'one ledger entry by its unique key, held to make two sendings of one correction of it wait together' },
  ],
  'test/charity/corrections.test.ts': [
    { line: "await tx.select({ id: charityNeed.id }).from(charityNeed).where(eq(charityNeed.id, Number(needId))).for('update');", why: 'one need by primary key, held so that a correction of its delivery waits in its transaction while the organisation\'s lock is taken' },
    { line: "return (await tx.select({ id: reportedAid.id }).from(reportedAid).where(eq(reportedAid.id, Number(entryId))).for('update')).length;", why: "one ledger entry by primary key, taken under the organisation's lock to show a correction waiting for that lock holds no ledger row" },
  ],
  'test/audit.test.ts': [{ line: "SELECT last_seq FROM access_log_head WHERE id = 1 FOR UPDATE'", why: 'the chain head by primary key, held by another transaction so that an append\'s lock of the next head with its COMMIT is refused (NOWAIT)' }],
  'test/cases-meeting-checks.test.ts': [{ line: 'select id from aid_case where id in (${sql.join(caseIds.map(Number), sql`, `)}) for update', why: 'two cases by primary key (IN list of ids just made), held so that two decisions of one household are both checked before either writes' }],
  'test/cases-reassign-declined-meanwhile.test.ts': [{ line: 'select id from aid_case where id = ${Number(caseId)} for update', why: 'one case by primary key, held so that a decline of its slip is written between a reassignment\'s look at the slip and its write' }],
  'test/charity/government-pending-race.test.ts': [
    { line: 'select id from charity_consent where id = ${Number(s.consentId)} for update', why: 'one consent by primary key, held so that a need is checked before a meeting for it is sent' },
    { line: 'select decisions_issued from household_decision_lock where household_id = ${s.householdId} for update', why: "one household's decision turn by primary key (a row the scenario's cases made), held so that a decision is counted between a need's check and its write" },
  ],
  'test/replicas.test.ts': [{ line: "WHERE job_key = 'scan-start' FOR UPDATE", why: 'the scan-start row by primary key, held to interleave two starts' }],
  'test/npm-start-database-unusable.test.ts': [{ line: "'SELECT n FROM t WHERE id = 1 FOR UPDATE'", why: 'a probe row by primary key, on a private MariaDB with a statement-format binary log: shows the lock refused there, which is why npm start checks binlog_format (never the hub\'s SQL, never on TiDB)' }],
  'test/locking-transaction.test.ts': [{ line: "const TAKE_TURN = 'SELECT n FROM probe_turn WHERE id = 1 FOR UPDATE'", why: "the test's own mutex row by primary key, held so that a lockingTransaction waits for it" }],
};

/**
 * Statements a test sends on purpose to fake a failure on the MariaDB it runs against: they are
 * not the hub's SQL and never run on TiDB. Each is reviewed here with its reason.
 */
const FAULT_INJECTION: Record<string, { rule: string; why: string }[]> = {
  'test/alert-delivery/deliver-open-race.test.ts': [{ rule: 'LOCK_TABLES', why: 'holds the outbox so a create with deliverOpen waits at its backlog, holding the subscription lock, while an alert is raised' }],
  'test/readiness.test.ts': [{ rule: 'LOCK_TABLES', why: 'holds the household table so the hub database reads as paused (HUB_UNAVAILABLE)' }],
  'test/job-lease.test.ts': [{ rule: 'LOCK_TABLES', why: "holds the household table so a scan started through the API waits, holding its lease, while the lease's length is read" }],
  'test/query-cost-client-gone.test.ts': [{ rule: 'LOCK_TABLES', why: "holds the union's front-end tables so a household query waits there until its client goes, and its retry after it" }],
  'test/client-gone-routes.test.ts': [{ rule: 'LOCK_TABLES', why: "holds the union's front-end tables, or the hub's findings or case requests, so a meeting brief, a findings export or a mutation waits there until its client goes, and its retry after it" }],
  'test/source-hangs.test.ts': [{ rule: 'LOCK_TABLES', why: "holds the union's front-end tables, as a department's own export would, so the hub's reads of them wait until it gives up" }],
  'test/scan-source-misbehaves.test.ts': [{ rule: 'LOCK_TABLES', why: "holds the union's front-end tables, as a department's own export would, so a scan's and a monthly comparison's reads of them wait until the scan limit" }],
  'test/abandon-handle.test.ts': [{ rule: 'GET_LOCK', why: 'a lock the test holds, so a statement a department read sends after an await waits on the server until the read is abandoned' }],
  'test/cases-meeting-checks.test.ts': [{ rule: 'LOCK_TABLES', why: "holds civil affairs' front-end tables so a meeting or reassignment sent twice makes its checks only after its first sending was written" }],
};

describe('migrations', () => {
  it('are found', () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(10);
    expect(MIGRATIONS).toContain('db/findings/migrations/0000_findings.sql');
    expect(MIGRATIONS).toContain('db/jobs/migrations/0000_jobs.sql');
  });

  it.each(MIGRATIONS)('%s: auto-increment tables keep insertion order on TiDB, and nothing TiDB does not run', (file) => {
    expect(migrationProblems(read(file))).toEqual([]);
  });

  it('every table AidHub pages by id has AUTO_ID_CACHE 1', () => {
    const all = MIGRATIONS.map(read).join('\n--> statement-breakpoint\n');
    for (const table of ['finding_scan', 'finding', 'finding_event', 'aid_case', 'case_event', 'case_meeting', 'referral_slip', 'household']) {
      const create = splitStatements(all).find((s) => s.startsWith(`CREATE TABLE \`${table}\``));
      expect(create).toBeDefined();
      expect(create).toContain(TIDB_AUTO_ID_CACHE);
    }
  });

  it('change an enum column only by appending members, in every migrations folder', () => {
    const folders = [...new Set(MIGRATIONS.map((f) => path.dirname(f)))];
    expect(folders.length).toBeGreaterThanOrEqual(10);
    for (const folder of folders) expect(enumChangeProblems(MIGRATIONS.filter((f) => path.dirname(f) === folder).sort().map(read))).toEqual([]);
  });

  it('declares only the foreign keys docs/scale-out.md lists (TiDB enforces them from v6.6)', () => {
    const declared = MIGRATIONS.flatMap((f) => foreignKeys(read(f))).sort();
    const doc = read('docs/scale-out.md');
    const listed = [...doc.matchAll(/^\s*- `([a-z_]+_fk)`/gm)].map((m) => m[1]).sort();
    expect(declared.length).toBeGreaterThan(0);
    expect(listed).toEqual(declared);
  });
});

describe('SQL in the code', () => {
  it('has nothing TiDB does not run, in any source file', () => {
    expect(CODE.length).toBeGreaterThan(50);
    const problems = CODE.flatMap((file) => codeProblems(withoutComments(read(file))).map((p) => ({ file, ...p })));
    const faked = (p: { file: string; rule: string }) => (FAULT_INJECTION[p.file] ?? []).some((f) => f.rule === p.rule);
    expect(problems.filter((p) => !faked(p))).toEqual([]);
    // Each reviewed fault injection is still there: an entry the code no longer needs goes.
    for (const [file, entries] of Object.entries(FAULT_INJECTION)) for (const e of entries) expect(problems).toContainEqual(expect.objectContaining({ file, rule: e.rule }));
  });

  it('has no UPDATE that reads a column it assigns before, nor a LIMIT in an IN subquery built with drizzle', () => {
    // TiDB evaluates an UPDATE's assignments on the row as it was; MySQL 8 refuses LIMIT in IN (…).
    expect(CODE.flatMap((file) => statementProblems(file, read(file)))).toEqual([]);
  });

  it('locks only in READ COMMITTED transactions (db/locking.ts): a plain read after a lock sees the latest commit on TiDB too', () => {
    // Tests' own connections holding a row to make two writes wait together read nothing after it:
    // they are in the inventory above, and are not the hub's SQL.
    const product = CODE.filter((f) => !f.startsWith('test/'));
    expect(product.filter((f) => lockingReads(read(f)).length > 0).length).toBeGreaterThanOrEqual(8);
    expect(product.flatMap((file) => lockingReadProblems(file, read(file)))).toEqual([]);
  });

  it('locks single rows by key only: every locking read is reviewed', () => {
    const found: Record<string, string[]> = {};
    for (const file of CODE) {
      const reads = lockingReads(read(file));
      if (reads.length > 0) found[file] = reads;
    }
    expect(Object.keys(found).sort()).toEqual(Object.keys(LOCKING_READS).sort());
    for (const [file, reads] of Object.entries(found)) {
      const reviewed = LOCKING_READS[file];
      expect(reads).toHaveLength(reviewed.length);
      for (const r of reads) expect(reviewed.some((rev) => r.includes(rev.line))).toBe(true);
    }
  });
});

describe('the lint itself', () => {
  it('catches each construct it forbids', () => {
    const bad: [string, string][] = [
      ['SELECT id FROM finding WHERE status = ? FOR UPDATE SKIP LOCKED', 'SKIP_LOCKED'],
      ['SELECT * FROM a JOIN LATERAL (SELECT 1) b ON true', 'LATERAL_JOIN'],
      ['CREATE FULLTEXT INDEX f ON finding (detail)', 'FULLTEXT'],
      ['SELECT id FROM finding WHERE MATCH(detail) AGAINST (?)', 'FULLTEXT'],
      ['CREATE TRIGGER t BEFORE INSERT ON finding FOR EACH ROW SET @x = 1', 'TRIGGER'],
      ['CREATE PROCEDURE p() BEGIN END', 'STORED_ROUTINE'],
      ['CHECKSUM TABLE finding', 'CHECKSUM_TABLE'],
      ['LOCK TABLES finding WRITE', 'LOCK_TABLES'],
      ['LOCK TABLES ${names.join()}', 'LOCK_TABLES'],
      ["SELECT GET_LOCK('scan', 10)", 'GET_LOCK'],
      // MariaDB runs these; MySQL 8 (or TiDB) refuses them.
      ['INSERT INTO finding_event (finding_id, action) VALUES (?, ?) RETURNING id', 'RETURNING'],
      ['DELETE FROM job_lease WHERE job_key = ? RETURNING token', 'RETURNING'],
      ['CREATE SEQUENCE case_number_seq', 'SEQUENCE'],
      ['SELECT NEXT VALUE FOR case_number_seq', 'SEQUENCE'],
      ['SELECT NEXTVAL(case_number_seq)', 'SEQUENCE'],
      ['ALTER TABLE `aid_case` ADD COLUMN IF NOT EXISTS `ended_at` datetime(3)', 'IF_EXISTS_IN_ALTER'],
      ['ALTER TABLE `aid_case` ADD IF NOT EXISTS `ended_at` datetime(3)', 'IF_EXISTS_IN_ALTER'],
      ['ALTER TABLE `case_event` DROP INDEX IF EXISTS `case_event_idempotency`', 'IF_EXISTS_IN_ALTER'],
      ['ALTER TABLE `charity_organisation` DROP COLUMN IF EXISTS `name`', 'IF_EXISTS_IN_ALTER'],
      ['CREATE INDEX IF NOT EXISTS `aid_case_ended` ON `aid_case` (`ended_at`)', 'IF_EXISTS_IN_ALTER'],
      ['SELECT id FROM finding WHERE scan_id IN (SELECT id FROM finding_scan ORDER BY id DESC LIMIT 3)', 'LIMIT_IN_SUBQUERY'],
      ['SELECT id FROM aid_case WHERE household_id = ANY (SELECT id FROM household WHERE region_code IN (?) LIMIT ${n})', 'LIMIT_IN_SUBQUERY'],
      ['SELECT id_number FROM person INTERSECT SELECT id_number FROM household_member', 'INTERSECT_EXCEPT'],
      ['SELECT id_number FROM person EXCEPT (SELECT id_number FROM household_member)', 'INTERSECT_EXCEPT'],
      ['SELECT CAST(SUBSTRING_INDEX(reason, " ", -1) AS INT) FROM monitoring_alert_event', 'CAST_AS_INT'],
      ['SELECT JSON_DETAILED(last_row_key) FROM monitoring_watermark', 'FUNCTION_NOT_EVERYWHERE'],
      ['SELECT NVL(decided_on, decide_by) FROM monitoring_alert', 'FUNCTION_NOT_EVERYWHERE'],
      ['SELECT UUID_SHORT()', 'FUNCTION_NOT_EVERYWHERE'],
      ['select md5(`detail`) as `held_detail` from `finding`', 'FUNCTION_NOT_EVERYWHERE'],
      ["SELECT SHA1('x')", 'FUNCTION_NOT_EVERYWHERE'],
      ["SELECT j.k FROM monitoring_watermark w, JSON_TABLE(w.last_row_key, '$' COLUMNS (k INT PATH '$.second')) j", 'FUNCTION_NOT_EVERYWHERE'],
      ['SET STATEMENT max_statement_time = 5 FOR SELECT * FROM household', 'MARIADB_SYNTAX'],
      ['CREATE OR REPLACE TABLE t (id int)', 'MARIADB_SYNTAX'],
      ['SELECT id FROM household ORDER BY id OFFSET 10 ROWS FETCH NEXT 10 ROWS ONLY', 'MARIADB_SYNTAX'],
      ['SELECT id FROM household LIMIT 10 ROWS EXAMINED 1000', 'MARIADB_SYNTAX'],
      ['SELECT id FROM aid_case WHERE id = ? FOR UPDATE WAIT 5', 'MARIADB_SYNTAX'],
      // MySQL 9 answers a plain EXPLAIN as a tree of text by default.
      ['pool.query(`EXPLAIN ${s.sql}`, s.params)', 'EXPLAIN_WITHOUT_FORMAT'],
      ['EXPLAIN SELECT id FROM household WHERE region_code = ?', 'EXPLAIN_WITHOUT_FORMAT'],
    ];
    for (const [statement, rule] of bad) expect(codeProblems(statement).map((p) => p.rule)).toContain(rule);
    // What all three run is not taken for those.
    const fine = [
      'DROP TABLE IF EXISTS t',
      'DROP DATABASE IF EXISTS aidhub_t_1',
      "DROP USER IF EXISTS 'u'@'%'",
      'CREATE TABLE IF NOT EXISTS `data_upgrade` (`name` varchar(64) NOT NULL)',
      'CREATE DATABASE IF NOT EXISTS aidhub CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
      // MySQL's own way round 1235: the LIMIT in a derived table inside the subquery.
      'SELECT id FROM finding WHERE scan_id IN (SELECT id FROM (SELECT id FROM finding_scan ORDER BY id DESC LIMIT 3) AS recent)',
      '(SELECT id FROM alert_delivery WHERE backlog = 0 LIMIT 5) UNION ALL (SELECT id FROM alert_delivery WHERE backlog = 1 LIMIT 5)',
      'SELECT id FROM aid_case WHERE household_id IN (SELECT id FROM household) ORDER BY id LIMIT 5',
      'SELECT CAST(x AS UNSIGNED), CAST(y AS SIGNED INTEGER) FROM t',
      'SELECT id FROM aid_case WHERE id = ? FOR UPDATE NOWAIT',
      "INSERT INTO region (code, name) VALUES ? ON DUPLICATE KEY UPDATE name = VALUES(name)",
      'EXPLAIN FORMAT=TRADITIONAL SELECT id FROM household WHERE region_code = ?',
      'select sha2(`detail`, 256) as `held_detail` from `finding`',
      "crypto.createHash('md5').update(text)",
      'pool.query(`${EXPLAIN_ROWS} ${s.sql}`, s.params)',
    ];
    for (const statement of fine) expect(codeProblems(statement)).toEqual([]);
    expect(migrationProblems('ALTER TABLE `monitoring_alert` ADD CONSTRAINT `decide_days_positive` CHECK (`decide_days` > 0);').map((p) => p.rule)).toEqual(['CHECK_CONSTRAINT']);
    expect(migrationProblems('CREATE TABLE `t` (\n\t`delivery_id` uuid NOT NULL\n);').map((p) => p.rule)).toEqual(['MARIADB_COLUMN']);
    expect(migrationProblems('ALTER TABLE `t` ADD `day` date AS (DATE(`at`)) PERSISTENT;').map((p) => p.rule)).toEqual(['MARIADB_COLUMN']);
    expect(migrationProblems('ALTER TABLE `aid_case` ADD `ended_at` datetime(3), ADD INDEX `aid_case_ended` (`ended_at`);').map((p) => p.rule)).toEqual(['MULTI_CHANGE_ALTER']);
    const created = 'CREATE TABLE `aid_case` (\n\t`state` enum(\'REPORTED\',\'ACCEPTED\') NOT NULL\n);';
    expect(enumChangeProblems([created, "ALTER TABLE `aid_case` MODIFY COLUMN `state` enum('REPORTED','ACCEPTED','CLOSED') NOT NULL;"])).toEqual([]);
    expect(enumChangeProblems([created, "ALTER TABLE `aid_case` MODIFY COLUMN `state` enum('ACCEPTED','REPORTED','CLOSED') NOT NULL;"]).map((p) => p.rule)).toEqual(['ENUM_NOT_APPENDED']);
    expect(enumChangeProblems([created, "ALTER TABLE `aid_case` MODIFY COLUMN `state` enum('REPORTED') NOT NULL;"]).map((p) => p.rule)).toEqual(['ENUM_NOT_APPENDED']);
    // A script's own median() is not SQL's.
    expect(codeProblems('const mid = median(samples);')).toEqual([]);
    expect(migrationProblems('-- a check (of nothing) in a comment\nUPDATE `t` SET `a` = 1;')).toEqual([]);
    expect(migrationProblems('CREATE INDEX `finding_recent` ON `finding` (`region_code`,`id` DESC);').map((p) => p.rule)).toEqual(['DESCENDING_INDEX']);
    expect(migrationProblems('CREATE TABLE `t` (\n\t`id` bigint AUTO_INCREMENT NOT NULL,\n\tCONSTRAINT `t_id` PRIMARY KEY(`id`)\n);').map((p) => p.rule)).toEqual(['AUTO_ID_CACHE_MISSING']);
    expect(lockingReads("db.select().from(t).where(gt(t.id, 5)).for('update')")).toHaveLength(1);
  });

  it('tells a locking read in a READ COMMITTED transaction from one that is not', () => {
    const rules = (code: string) => lockingReadProblems('db/x.ts', code).map((p) => p.rule);
    const outside = ['LOCKING_READ_OUTSIDE_READ_COMMITTED'];
    // In a transaction begun otherwise, or on no transaction at all.
    expect(rules("db.transaction(async (tx) => { await tx.select().from(t).where(eq(t.id, 1)).for('update'); });")).toEqual(outside);
    expect(rules("export async function lock(tx: HubTx, id: number) { return tx.select().from(t).where(eq(t.id, id)).for('update'); }")).toEqual(outside);
    expect(rules("export async function lock(db: HubQuery) { return db.select().from(t).for('share'); }")).toEqual(outside);
    expect(rules('db.transaction(async (tx) => tx.execute(sql`SELECT token FROM job_lease WHERE job_key = ${k} FOR UPDATE`));')).toEqual(outside);
    expect(rules("conn.query('START TRANSACTION; SELECT last_seq FROM access_log_head WHERE id = 1 FOR UPDATE')")).toEqual(outside);
    expect(rules("const q = 'SELECT id FROM t WHERE id = 1 LOCK IN SHARE MODE';")).toEqual(outside);
    // A cast makes any transaction look like one: only db/locking.ts may.
    expect(rules("db.transaction(async (tx) => lockCase(tx as LockingTx, 1));")).toEqual(['LOCKING_TX_CAST']);
    // Through the helper, on a parameter typed LockingTx, behind the fence, or raw SQL that begins at READ COMMITTED.
    expect(rules("lockingTransaction(db, async (tx) => { await tx.select().from(t).where(eq(t.id, 1)).for('update'); });")).toEqual([]);
    expect(rules("retryLockConflicts(() => lockingTransaction(db, async (tx) => (await tx.select().from(t).where(inArray(t.id, ids)).for('update')).length));")).toEqual([]);
    expect(rules("export async function lock(tx: LockingTx, id: number) { const [row] = await tx.select().from(t).where(eq(t.id, id)).for('update'); return row; }")).toEqual([]);
    expect(rules('export async function fence(tx: LockingTx) { rowsOf(await tx.execute(sql`SELECT token FROM job_lease WHERE job_key = ${k} FOR UPDATE`)); }')).toEqual([]);
    expect(rules("fenced(db, lease, async (tx) => tx.select().from(t).where(eq(t.id, 1)).for('update'));")).toEqual([]);
    expect(rules('const LOCK_HEAD = `${BEGIN_LOCKING_SQL}; SELECT last_seq FROM access_log_head WHERE id = 1 FOR UPDATE`;')).toEqual([]);
    // Prose and comments are not SQL.
    expect(rules("// SELECT … FOR UPDATE\nconst note = 'waits for updates';")).toEqual([]);
  });

  it('tells an UPDATE that reads a column it assigned before (TiDB reads the old value) from one that does not', () => {
    const rules = (code: string) => statementProblems('db/x.ts', code).map((p) => p.rule);
    const reads = ['UPDATE_READS_ASSIGNED'];
    // b = a after a = …: MySQL and MariaDB give b the new a, TiDB the old one.
    expect(rules('db.execute(sql`UPDATE job_lease SET token = token + 1, expires_at = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL token SECOND) WHERE job_key = ${k}`)')).toEqual(reads);
    expect(rules('db.execute(sql`UPDATE monitoring_alert SET decide_by = ${d}, provisional = ${monitoringAlert.decideBy} < ${today} WHERE id = ${id}`)')).toEqual(reads);
    expect(rules("db.update(monitoringAlert).set({ decideBy: d, provisional: sql`${monitoringAlert.decideBy} < ${today}` }).where(eq(monitoringAlert.id, id))")).toEqual(reads);
    expect(updateMigrationRules("UPDATE `monitoring_alert` SET\n  `verify_days` = DATEDIFF(`verify_by`, `first_clue_on`),\n  `decide_days` = CASE WHEN `verify_days` IS NULL THEN NULL ELSE 1 END;")).toEqual(reads);
    // The same read placed before the write, a column reading itself, and ON DUPLICATE KEY UPDATE
    // (which TiDB evaluates in order, as MySQL does) mean the same everywhere.
    expect(rules('db.execute(sql`UPDATE monitoring_alert SET provisional = decide_by < ${today}, decide_by = ${d} WHERE id = ${id}`)')).toEqual([]);
    expect(rules('db.execute(sql`UPDATE alert_delivery SET attempts = attempts + 1, claim_token = ${t} WHERE id = ${id}`)')).toEqual([]);
    expect(rules("db.update(charityProject).set({ budgetLeftFen: sql`${charityProject.budgetLeftFen} - ${fen}` })")).toEqual([]);
    expect(rules('tx.execute(sql`INSERT INTO w (k, a, b) VALUES (${k}, ${a}, ${b}) ON DUPLICATE KEY UPDATE a = IF(${m} >= b, VALUES(a), a), b = GREATEST(b, VALUES(b))`)')).toEqual([]);
    // drizzle's IN over a select with a LIMIT.
    expect(rules('db.select().from(finding).where(inArray(finding.scanId, db.select({ id: findingScan.id }).from(findingScan).orderBy(desc(findingScan.id)).limit(3)))')).toEqual(['LIMIT_IN_SUBQUERY']);
    expect(rules('db.select().from(finding).where(inArray(finding.scanId, db.select({ id: findingScan.id }).from(findingScan)))')).toEqual([]);
  });

  it('adds AUTO_ID_CACHE 1 where drizzle-kit left it out, once', () => {
    const generated = 'CREATE TABLE `t` (\n\t`id` bigint AUTO_INCREMENT NOT NULL,\n\tCONSTRAINT `t_id` PRIMARY KEY(`id`)\n);\n--> statement-breakpoint\nCREATE TABLE `u` (\n\t`k` int NOT NULL\n);\n';
    const fixed = withAutoIdCache(generated);
    expect(migrationProblems(fixed)).toEqual([]);
    expect(fixed).toContain(`) ${TIDB_AUTO_ID_CACHE};`);
    expect(fixed.split(TIDB_AUTO_ID_CACHE)).toHaveLength(2);
    expect(withAutoIdCache(fixed)).toBe(fixed);
  });
});
