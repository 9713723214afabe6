/**
 * 医保's hospital settlements as the monitoring tests poll them: the feed (by update time, keyed by
 * the settlement id), the commit lag the tests poll with and the wait past it, the poller's options
 * for a batch cap, and one stay per person whose out-of-pocket cost is over T1's line for some and
 * under it for others. Shared by the change-feed, bulk-second and watermark-compat tests.
 */
import { polledFeeds, type PolledFeed } from '../../federation/change-feed';
import { factProviders } from '../../federation/registry';
import type { MonitoringPoller, PollerOptions, TickResult } from '../../resolvers/monitoring/poller';

/** The commit lag the tests poll with: rows younger than this are not read yet. */
export const LAG_MS = 1000;

/** Past the commit lag, and into a later second than anything written before. */
export const pastLag = (): Promise<void> => new Promise((r) => setTimeout(r, LAG_MS + 1100));

export type SettlementsFeed = PolledFeed & { marker: { kind: 'UPDATE_TIME' } };

/** 医保's settlements feed: polled by its update time, keyed by the settlement id alone. */
export function settlementsFeed(): SettlementsFeed {
  const { code, reader } = factProviders('settlements')[0];
  const feed = polledFeeds(code).find((f) => f.table === (reader.keyColumn as unknown as { table: PolledFeed['table'] }).table)!;
  if (feed.marker.kind !== 'UPDATE_TIME' || feed.marker.rowKey.length !== 1 || !feed.person) throw new Error('settlements are expected to be polled by an update time, keyed by one column');
  return feed as SettlementsFeed;
}

/** A poller that polls only when ticked, reading at most `batchRows` rows a table per poll. */
export const pollerOptions = (batchRows: number): PollerOptions => ({ intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows, monthlyRegion: null, commitLagMs: LAG_MS });

/** Every third stay over the line for others (¥10,000), every third far over it, the rest under. */
const OUT_OF_POCKET = ['12000.00', '35000.00', '100.00'];

export const settlementId = (hospital: string, i: number): string => `${hospital}-${String(i).padStart(4, '0')}`;

/** The i-th stay at `hospital`'s 医院, of the person `idNumber`. */
export const settlementStay = (hospital: string, i: number, idNumber: string) => ({
  setlId: settlementId(hospital, i),
  psnCertNo: idNumber,
  fixmedinsName: `${hospital}医院`,
  admDate: '2026-03-01',
  setlDate: '2026-03-05',
  medfeeSumamt: '40000.00',
  hifpPay: '1000.00',
  hifmiPay: '0.00',
  mafPay: '0.00',
  psnPay: OUT_OF_POCKET[i % 3],
});

/** Ticks 医保 until a tick reads nothing; the ticks that read rows. */
export async function drain(poller: MonitoringPoller): Promise<TickResult[]> {
  const ticks: TickResult[] = [];
  for (let i = 0; i < 100; i++) {
    const t = await poller.tick('HEALTH');
    expect(t.polled).toBe(true);
    if (t.rows === 0) return ticks;
    ticks.push(t);
  }
  throw new Error('the poller never caught up');
}
