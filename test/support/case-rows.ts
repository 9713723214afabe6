/**
 * Case rows by the thousand for the sealed tables (db/cases/seals.ts SEALED_TABLES), written with
 * plain INSERT … SELECT over a numbers table, foreign keys unchecked: a county's years of cases for
 * test/cases-seals-scale and `npm run bench:seals`. Plain values, no personal data; not a
 * consistent case history (nothing reads them but the seals).
 */
import type mysql from 'mysql2/promise';

/** Rows per table, per 1000 of `--rows` (a county bureau's mix: events and slips dominate). */
export const CASE_ROW_MIX: Record<string, number> = {
  aid_case: 100,
  case_event: 400,
  referral_slip: 200,
  decision_correction: 20,
  case_meeting: 75,
  case_meeting_department: 150,
  decision_check: 20,
  case_first_aid: 10,
  referral_fulfilment: 10,
  declined_decision: 10,
  second_aid_approval: 5,
};

/** INSERT … SELECT over n = 1..N (a numbers table): each table's rows, plain values, no personal data. */
function fills(n: Record<string, number>): string[] {
  const at = "TIMESTAMP '2024-01-01 00:00:00' + INTERVAL n MINUTE";
  return [
    `INSERT INTO aid_case (id, household_id, township_code, origin, urgency, state, summary, first_office, owner_office, reported_at) SELECT n, n, '370811001', 'APPLICATION', 'NORMAL', 'CLOSED', CONCAT('生活困难，申请临时救助 ', n), 'CIVIL_AFFAIRS', 'CIVIL_AFFAIRS', ${at} FROM nums WHERE n <= ${n.aid_case}`,
    `INSERT INTO case_event (id, case_id, seq, action, occurred_at, recorded_at, actor, actor_office, reason) SELECT n, 1 + (n - 1) DIV 4, 1 + (n - 1) MOD 4, 'TRANSITIONED', ${at}, ${at}, 'clerk-1', 'CIVIL_AFFAIRS', '受理' FROM nums WHERE n <= ${n.case_event}`,
    `INSERT INTO referral_slip (id, case_id, kind, from_office, to_office, ask, deadline_working_days, issued_at, due_on, state, answered_at, feedback) SELECT n, 1 + (n - 1) DIV 2, 'FORWARD', 'CIVIL_AFFAIRS', 'HEALTH', '请核查医疗救助', 10, ${at}, DATE '2024-02-01' + INTERVAL n DIV 100 DAY, 'COMPLETED', ${at}, '已办结' FROM nums WHERE n <= ${n.referral_slip}`,
    `INSERT INTO decision_correction (referral_id, case_id, event_seq, role, reason, actor, recorded_at) SELECT n, n, 1, 'SUPERSEDED', '金额有误', 'clerk-1', ${at} FROM nums WHERE n <= ${n.decision_correction}`,
    `INSERT INTO case_meeting (id, case_id, held_on, convened_by, dossier_json, recorded_at, recorded_by) SELECT n, n, DATE '2024-02-01' + INTERVAL n DIV 100 DAY, 'CIVIL_AFFAIRS', REPEAT('{"department":"HEALTH","state":"OK"}', 40), ${at}, 'clerk-1' FROM nums WHERE n <= ${n.case_meeting}`,
    `INSERT INTO case_meeting_department (meeting_id, department) SELECT 1 + (n - 1) DIV 2, IF(n MOD 2 = 0, 'HEALTH', 'HOUSING') FROM nums WHERE n <= ${n.case_meeting_department}`,
    `INSERT INTO decision_check (referral_id, meeting_id, findings_json, unavailable_json) SELECT n, n, '[]', '[]' FROM nums WHERE n <= ${n.decision_check}`,
    `INSERT INTO case_first_aid (case_id, programme_code, amount_fen, reason, given_at, recorded_at, actor) SELECT n, 'TEMPORARY_AID', 50000, '急难', ${at}, ${at}, 'clerk-1' FROM nums WHERE n <= ${n.case_first_aid}`,
    `INSERT INTO referral_fulfilment (referral_id, aid_source_ref, programme_code, beneficiary_id_number, aid_date, amount_fen, decided_amount_fen, shortfall_fen) SELECT n, CONCAT('ref-', n), 'MEDICAL_AID', '000000000000000000', DATE '2024-03-01', 100000, 100000, 0 FROM nums WHERE n <= ${n.referral_fulfilment}`,
    `INSERT INTO declined_decision (referral_id, case_id, resolution, reason, actor, recorded_at) SELECT n, n, 'WAIVED', '已足额', 'clerk-1', ${at} FROM nums WHERE n <= ${n.declined_decision}`,
    `INSERT INTO second_aid_approval (id, case_id, referral_id, id_number, cause, amount_fen, approved_on) SELECT n, n, n, '000000000000000000', 'ILLNESS', 100000, DATE '2024-03-01' FROM nums WHERE n <= ${n.second_aid_approval}`,
  ];
}

/**
 * Writes about `total` rows across the eleven sealed tables (CASE_ROW_MIX, at most 100,000 in one
 * table), on `conn` (its session's foreign-key checks are switched off); returns the rows per table.
 */
export async function fillCaseRows(conn: mysql.Connection, total: number): Promise<Record<string, number>> {
  const per = Object.fromEntries(Object.entries(CASE_ROW_MIX).map(([t, k]) => [t, Math.round((total * k) / 1000)]));
  if (Math.max(...Object.values(per)) > 1_000_000) throw new Error(`fillCaseRows: at most 1,000,000 rows in a table (asked ${total})`);
  await conn.query('SET FOREIGN_KEY_CHECKS = 0');
  await conn.query('CREATE TABLE case_row_digits (d INT NOT NULL)');
  await conn.query('INSERT INTO case_row_digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
  await conn.query('CREATE TEMPORARY TABLE nums (n INT NOT NULL PRIMARY KEY)');
  await conn.query('INSERT INTO nums SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 100000 * g.d FROM case_row_digits a, case_row_digits b, case_row_digits c, case_row_digits e, case_row_digits f, case_row_digits g');
  for (const s of fills(per)) await conn.query(s);
  await conn.query('DROP TEMPORARY TABLE nums');
  await conn.query('DROP TABLE case_row_digits');
  await conn.query('SET FOREIGN_KEY_CHECKS = 1');
  return per;
}
