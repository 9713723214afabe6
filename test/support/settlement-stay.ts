/**
 * One patient's hospital stay (¥10,000, ¥4,000 of it out of pocket) in medical insurance's data, a
 * hub over it and a registered charity's client: what the settlement-reference tests check X7 on.
 */
import { registerCharity } from '../../db/reported-aid/store';
import { makeCreditCode } from '../../domain/credit-code';
import { healthScenario } from '../../federation/health/scenario';
import { createTestDatabases, type TestDatabases } from './databases';
import { startTestHub, type TestHub } from './hub';
import { insertRegions, insertResident, TODAY } from './scenarios';

/** The stay's out-of-pocket amount, in fen (¥4,000). */
export const STAY_BURDEN_FEN = 400_000;

export interface SettlementStay {
  dbs: TestDatabases;
  hub: TestHub;
  patient: string;
  charity: { gql: TestHub['gql'] };
  charityName: string;
}

/** A settlement number in full-width digits and letters, as a Chinese input method left in full-width mode types it. */
export const fullWidth = (s: string) => s.replace(/[0-9A-Za-z-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

export async function settlementStay(o: { database: string; setlId: string; prefix: string; seq: number; charityClient: string; creditCodeBase: string }): Promise<SettlementStay> {
  const dbs = await createTestDatabases(o.database);
  await insertRegions(dbs);
  const patient = (await insertResident(dbs, { prefix: o.prefix, seq: o.seq, birthDate: '1958-03-03' })).idNumber;
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [
    { setlId: o.setlId, psnCertNo: patient, fixmedinsName: '任城区人民医院', admDate: '2026-01-28', dscgDate: '2026-02-06', setlDate: '2026-02-06', diseName: '急性阑尾炎', medfeeSumamt: '10000.00', hifpPay: '6000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay: '4000.00', refdSetlFlag: '0' },
  ]);
  const hub = await startTestHub(dbs, { today: TODAY });
  const c = await hub.createClient({ name: o.charityClient, department: 'CHARITY', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] });
  await registerCharity(dbs.hub as never, c.name, makeCreditCode(o.creditCodeBase), '济宁市慈善总会');
  return { dbs, hub, patient, charity: hub.as({ token: c.token, purpose: 'DUPLICATE_CHECK' }), charityName: c.name };
}
