/**
 * 医保 adapter: medical aid paid inside the one-stop settlement (mi_setl.maf_pay), medical aid and
 * premium subsidies paid separately (mi_aid_pay), and the hospital settlements themselves, which
 * the duplicate-aid rules (X7) and the out-of-pocket warnings (M4) need. Amounts are stored in
 * yuan; every one goes through departmentYuanToFen so no float ever touches money.
 */
import path from 'node:path';
import { and, eq, getTableColumns, gt, ne, type SQL } from 'drizzle-orm';
import { inPlaceholder, preparedPer, preparedUnionAll, switch01, switchedOn } from '../../db/prepared';
import { departmentYuanToFen } from '../../domain/money';
import type { ProgrammeCode } from '../../domain/programmes';
import { checkAnswer, needed, readsApart, type AidRecord, type CheckAnswer, type CheckAsk, type DepartmentAdapter, type HospitalSettlement, type SourceDb } from '../contract';
import { oneOffAid, recurringAid, sourceKeyOf, sourceRefOf } from '../../domain/aid';
import type { IsoDate } from '../../domain/dates';
import { HEALTH_IMPORT } from './import-spec';
import { oneOffStatusOf, programmeColumn, programmeOf, statusColumn } from '../status-codes';
import { miAidPayment, miSettlement } from './tables';
import { UnreadableRows } from '../unreadable-rows';
import { HEALTH_DEMO } from './demo';

/**
 * The kinds of record this department's aid records and facts come from (`sourceRef`'s first
 * part). Frozen: stored findings' fingerprints are built from them, and they stay as they are if
 * a table is renamed (they are spelled like the first release's table names, not derived from
 * them).
 */
const RECORD_KINDS = {
  miSetl: 'mi_setl',
  miAidPay: 'mi_aid_pay',
} as const;

const AID_PAY_PROGRAMMES: Record<string, ProgrammeCode> = { MAF: 'MEDICAL_AID', CBZZ: 'PREMIUM_SUBSIDY' };

/** mi_aid_pay.aid_type as the import declaration documents it; any other type is the catch-all, UNRECOGNISED, tied to no stay (it was skipped). */
const AID_TYPE = programmeColumn(HEALTH_IMPORT.mi_aid_pay, 'aid_type', 'HEALTH', AID_PAY_PROGRAMMES);

/** refd_setl_flag '1' marks a settlement reversed (冲销); it and everything it paid no longer stand. */
const NOT_REVERSED = '0';
const REVERSED = '1';

/** mi_aid_pay.vali_flag '1': the payment stands; '0': reversed (冲销) or recovered, it no longer counts. */
const VALID = '1';

/**
 * The flags as the import declaration documents them. Medical aid paid in a settlement whose
 * reversal flag is neither 0 nor 1, or a payment whose validity flag is neither, is UNRECOGNISED:
 * the payment read as reversed (CANCELLED) and the settlement's aid was left out unseen. The
 * settlement itself is a standing stay only under 0 (settlementsByIdNumbers).
 */
const STATUS = {
  settlement: statusColumn(HEALTH_IMPORT.mi_setl, 'refd_setl_flag'),
  payment: statusColumn(HEALTH_IMPORT.mi_aid_pay, 'vali_flag'),
};

/** Medical aid paid inside a settlement, with the settlement's reversal flag (any but 1, save in recordsNoLongerStanding). */
const SETTLEMENT_AID = { setlId: miSettlement.setlId, psnCertNo: miSettlement.psnCertNo, setlDate: miSettlement.setlDate, mafPay: miSettlement.mafPay, refdSetlFlag: miSettlement.refdSetlFlag };

/**
 * Aid payments by their settlement, through the settlement's index whatever the optimiser
 * estimates. Most payments name no settlement (a premium subsidy, aid paid apart), so the index's
 * statistics count a key's rows among the NULLs: for more than eq_range_index_dive_limit (200)
 * references MariaDB read the whole table instead, once a slice of a region scan (1.3 million
 * rows a county of 100,000 households; docs/performance.md, Session 39).
 */
const BY_SETTLEMENT = { forceIndex: 'mi_aid_pay_setl' };

/** Medical aid paid inside settlements, by the column `key` (a person's, or the settlement's own id) in `placeholder`. */
const settlementAidWhere = (key: typeof miSettlement.psnCertNo | typeof miSettlement.setlId, placeholder: string) => and(inPlaceholder(key, placeholder), gt(miSettlement.mafPay, '0'), ne(miSettlement.refdSetlFlag, REVERSED));

/** Standing settlements (not reversed) by their reference, in `placeholder`. */
const standingSettlementsWhere = (placeholder: string) => and(inPlaceholder(miSettlement.setlId, placeholder), eq(miSettlement.refdSetlFlag, NOT_REVERSED));

/**
 * The parts of the union statements below: the people's aid (`ids`; in settlements and paid
 * separately, each switched), the aid tied to the settlements in `refs`, and the standing settlements
 * in `stays` (as `settlementsByRef`). Each through its own index.
 */
function unionParts(db: SourceDb) {
  type Fields = Record<string, SQL.Aliased>;
  return {
    settlementAid: { fields: SETTLEMENT_AID, select: (f: Fields) => db.select(f).from(miSettlement).where(and(settlementAidWhere(miSettlement.psnCertNo, 'ids'), switchedOn('settlementAid'))) },
    aidPayments: { fields: getTableColumns(miAidPayment), select: (f: Fields) => db.select(f).from(miAidPayment).where(and(inPlaceholder(miAidPayment.psnCertNo, 'ids'), switchedOn('aidPayments'))) },
    tiedSettlementAid: { fields: SETTLEMENT_AID, select: (f: Fields) => db.select(f).from(miSettlement).where(settlementAidWhere(miSettlement.setlId, 'refs')) },
    tiedAidPayments: { fields: getTableColumns(miAidPayment), select: (f: Fields) => db.select(f).from(miAidPayment, BY_SETTLEMENT).where(inPlaceholder(miAidPayment.setlId, 'refs')) },
    stays: { fields: getTableColumns(miSettlement), select: (f: Fields) => db.select(f).from(miSettlement).where(standingSettlementsWhere('stays')) },
  };
}

/** The statements, prepared once per source (db/prepared.ts). */
const statements = preparedPer((db: SourceDb) => {
  const { settlementAid, aidPayments, tiedSettlementAid, tiedAidPayments, stays } = unionParts(db);
  return {
    /** Aid paid in settlements and separately, in one statement (their UNION ALL). */
    aid: preparedUnionAll(db, { settlementAid, aidPayments }),
    /** `aid` and the aid tied to settlements (`settlementAidByRef`, `aidPaymentsByRef`) in one statement: `aidAndFacts` asked for the aid tied to stays. */
    aidAndTied: preparedUnionAll(db, { settlementAid, aidPayments, tiedSettlementAid, tiedAidPayments }),
    /** `aidAndTied` and the stays themselves (`settlementsByRef`, by `stays`) in one statement: `aidAndFacts` asked for both. */
    aidTiedAndStays: preparedUnionAll(db, { settlementAid, aidPayments, tiedSettlementAid, tiedAidPayments, stays }),
    settlementsOf: db
      .select()
      .from(miSettlement)
      .where(and(inPlaceholder(miSettlement.psnCertNo, 'ids'), eq(miSettlement.refdSetlFlag, NOT_REVERSED)))
      .prepare(),
    settlementAidByRef: db.select(SETTLEMENT_AID).from(miSettlement).where(settlementAidWhere(miSettlement.setlId, 'refs')).prepare(),
    aidPaymentsByRef: db.select().from(miAidPayment, BY_SETTLEMENT).where(inPlaceholder(miAidPayment.setlId, 'refs')).prepare(),
    settlementsByRef: db.select().from(miSettlement).where(standingSettlementsWhere('refs')).prepare(),
    /** Medical aid paid in settlements since reversed: asked only for records a slip or a first aid named (recordsNoLongerStanding). */
    reversedSettlementAidByRef: db
      .select(SETTLEMENT_AID)
      .from(miSettlement)
      .where(and(inPlaceholder(miSettlement.setlId, 'refs'), gt(miSettlement.mafPay, '0'), eq(miSettlement.refdSetlFlag, REVERSED)))
      .prepare(),
  };
});

export const health: DepartmentAdapter = {
  code: 'HEALTH',
  migrationsFolder: path.join(__dirname, 'migrations'),
  importTables: HEALTH_IMPORT,
  demo: HEALTH_DEMO,
  recordKinds: RECORD_KINDS,
  statusColumns: Object.values(STATUS),
  programmeColumns: [AID_TYPE],
  tables: [miSettlement, miAidPayment],
  personKeys: [miSettlement.psnCertNo, miAidPayment.psnCertNo],
  facts: { settlements: { byIdNumbers: settlementsByIdNumbers, byRefs: settlementsByRefs, keyColumn: miSettlement.psnCertNo } },
  // Settlement and payment ids are the insurance system's own strings, not a growing sequence.
  changeFeed: [
    { table: miSettlement, sequence: null, updatedAt: miSettlement.updtTime },
    { table: miAidPayment, sequence: null, updatedAt: miAidPayment.updtTime },
  ],

  async aidByIdNumbers(db: SourceDb, idNumbers: readonly string[], today: string, programmes?: ReadonlySet<ProgrammeCode>): Promise<AidRecord[]> {
    if (idNumbers.length === 0) return [];
    const parts = aidParts(programmes);
    if (!Object.values(parts).includes(1)) return [];
    const { settlementAid, aidPayments } = await statements(db).aid.execute({ ids: idNumbers, ...parts });
    return toRecords(settlementAid, aidPayments, today);
  },

  async aidBySettlementRefs(db: SourceDb, refs: readonly string[], today: string): Promise<AidRecord[]> {
    if (refs.length === 0) return [];
    const q = statements(db);
    const [settlementAid, aidPayments] = await Promise.all([q.settlementAidByRef.execute({ refs }), q.aidPaymentsByRef.execute({ refs })]);
    return tiedRecords(settlementAid, aidPayments, today);
  },

  /**
   * The people's aid with the aid tied to stays (`tiedTo`) and, asked for them, the stays themselves
   * (`stays`), in one statement: a medical-aid check's whole read of medical insurance.
   */
  async aidAndFacts(db: SourceDb, ask: CheckAsk): Promise<CheckAnswer> {
    const { idNumbers, today, tiedTo = [], stays = [] } = ask;
    const parts = aidParts(ask.programmes);
    // Nothing of the people's to read, or no stay: the reads that are left, apart.
    if (idNumbers.length === 0 || !Object.values(parts).includes(1) || tiedTo.length === 0) return readsApart(this, db, ask);
    const q = statements(db);
    if (stays.length === 0) {
      const rows = await q.aidAndTied.execute({ ids: idNumbers, refs: tiedTo, ...parts });
      return checkAnswer({ aid: toRecords(rows.settlementAid, rows.aidPayments, today), tied: tiedRecords(rows.tiedSettlementAid, rows.tiedAidPayments, today) });
    }
    const rows = await q.aidTiedAndStays.execute({ ids: idNumbers, refs: tiedTo, stays, ...parts });
    return checkAnswer({ aid: toRecords(rows.settlementAid, rows.aidPayments, today), tied: tiedRecords(rows.tiedSettlementAid, rows.tiedAidPayments, today), stays: settlementsFromRows(rows.stays) });
  },

  /**
   * Medical aid paid in a settlement medical insurance has reversed since (冲销), by the `sourceRef`
   * it had: the record itself, CANCELLED. The reads above leave a reversed settlement out, so that no
   * total, duplicate or missed-aid rule and no stay's sum (X7) counts it; but a slip completed with
   * its aid (or a first aid naming it) then read NOT_FOUND_AT_SOURCE, 已查不到, where every other
   * department's reversed or revoked record reads CANCELLED_AT_SOURCE. Only these look-ups see it.
   * One statement, and none when no settlement's record is asked about.
   */
  async recordsNoLongerStanding(db: SourceDb, sourceRefs: readonly string[], today: IsoDate): Promise<Map<string, AidRecord>> {
    const refs = [...new Set(sourceRefs.flatMap((ref) => sourceKeyOf(RECORD_KINDS.miSetl, ref) ?? []))];
    if (refs.length === 0) return new Map();
    const reversed = await statements(db).reversedSettlementAidByRef.execute({ refs });
    return new Map(toRecords(reversed, [], today).map((r) => [r.sourceRef, r]));
  },
};

/** Which of the aid tables hold one of `programmes` (all without). */
function aidParts(programmes: ReadonlySet<ProgrammeCode> | undefined) {
  return { settlementAid: switch01(needed(programmes, ['MEDICAL_AID'])), aidPayments: switch01(needed(programmes, Object.values(AID_PAY_PROGRAMMES))) };
}

/** Aid tied to a stay: a premium subsidy (no stay) is not. */
function tiedRecords(settlementAid: Parameters<typeof toRecords>[0], aidPayments: Parameters<typeof toRecords>[1], today: string): AidRecord[] {
  return toRecords(settlementAid, aidPayments, today).filter((r) => r.settlementRef !== null);
}

function toRecords(
  settlementAid: readonly { setlId: string; psnCertNo: string; setlDate: string; mafPay: string; refdSetlFlag: string }[],
  aidPayments: readonly (typeof miAidPayment.$inferSelect)[],
  today: string,
): AidRecord[] {
  const records: AidRecord[] = [];
  for (const r of settlementAid) {
    records.push(oneOffAid({ department: 'HEALTH', programme: 'MEDICAL_AID', beneficiaryIdNumber: r.psnCertNo, grantDate: r.setlDate, amountFen: departmentYuanToFen(r.mafPay), ...oneOffStatusOf(STATUS.settlement, r.refdSetlFlag, r.refdSetlFlag === REVERSED, r.setlDate, today), sourceRef: sourceRefOf(RECORD_KINDS.miSetl, r.setlId), settlementRef: r.setlId }));
  }
  for (const r of aidPayments) {
    const { programme, ...status } = programmeOf(AID_TYPE, r.aidType, oneOffStatusOf(STATUS.payment, r.valiFlag, r.valiFlag !== VALID, r.payDate, today));
    // A premium subsidy pays for insurance cover, not for a stay; only medical aid relieves a settlement.
    records.push(oneOffAid({ department: 'HEALTH', programme, beneficiaryIdNumber: r.psnCertNo, grantDate: r.payDate, amountFen: departmentYuanToFen(r.payAmt), ...status, sourceRef: sourceRefOf(RECORD_KINDS.miAidPay, r.payId), settlementRef: programme === 'MEDICAL_AID' ? r.setlId : null }));
  }
  return records;
}

/** Hospital settlements of these people that still stand (reversed ones excluded), in fen. One statement. */
export async function settlementsByIdNumbers(db: SourceDb, idNumbers: readonly string[]): Promise<HospitalSettlement[]> {
  if (idNumbers.length === 0) return [];
  return settlementsFromRows(await statements(db).settlementsOf.execute({ ids: idNumbers }));
}

/**
 * Standing settlements by reference, whoever the patient: aid can be tied to a family member's
 * stay (a union illness grant to the worker for a child's treatment). One statement.
 */
export async function settlementsByRefs(db: SourceDb, refs: readonly string[]): Promise<HospitalSettlement[]> {
  if (refs.length === 0) return [];
  return settlementsFromRows(await statements(db).settlementsByRef.execute({ refs }));
}

/** The amounts of a settlement, by the field each is read into. */
const SETTLEMENT_AMOUNTS = { totalCostFen: 'medfeeSumamt', basicInsurancePaidFen: 'hifpPay', criticalIllnessInsurancePaidFen: 'hifmiPay', medicalAidPaidFen: 'mafPay', outOfPocketFen: 'psnPay' } as const;
const AMOUNT_FIELDS = Object.keys(SETTLEMENT_AMOUNTS) as (keyof typeof SETTLEMENT_AMOUNTS)[];

/**
 * `mi_setl` rows as the hub's HospitalSettlements, amounts in exact fen. An amount is read as the
 * department's aid amounts are (departmentYuanToFen): a column widened to more decimals
 * (`DECIMAL(12,3)`: `7010.500`) is the amount it is; it failed the department's whole read, every
 * stay of it unread and HEALTH reported UNREACHABLE. A stay with an amount the hub cannot read (a
 * fraction of a fen) refuses the read whole, as UnreadableRows: left out, its medical aid would be
 * answered `settlementUnknown` and its out-of-pocket cost missing from M4's sum, so the rules reading
 * stays are left unrun and the department reported UNREADABLE_ROWS, counting the fields.
 */
function settlementsFromRows(rows: readonly (typeof miSettlement.$inferSelect)[]): HospitalSettlement[] {
  const unreadable: Record<string, number> = {};
  const out: HospitalSettlement[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    // Each amount by a loop over the fields (no arrays of entries per row: a region scan reads thousands of stays a slice).
    const stay: Record<string, unknown> = { settlementRef: r.setlId, idNumber: r.psnCertNo, hospitalName: r.fixmedinsName, admittedOn: r.admDate, dischargedOn: r.dscgDate, settledOn: r.setlDate, diagnosis: r.diseName };
    let field: string | undefined;
    for (const f of AMOUNT_FIELDS) {
      const fen = departmentYuanToFen(r[SETTLEMENT_AMOUNTS[f]]);
      stay[f] = fen;
      if (field === undefined && !Number.isSafeInteger(fen)) field = f;
    }
    if (field) unreadable[field] = (unreadable[field] ?? 0) + 1;
    out[i] = stay as unknown as HospitalSettlement;
  }
  if (Object.keys(unreadable).length > 0) throw new UnreadableRows(unreadable);
  return out;
}
