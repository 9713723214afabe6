/** The bench's table. */
import type { Tally } from './measure';

export interface Row {
  label: string;
  tally: Tally;
}

function fixed(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(a: number, b: number): string {
  return `${fixed(a / b, 2)}×`;
}

export function table(rows: Row[], hub: Tally, floor: Tally, naive: Tally): string {
  const header = ['variant', 'p50 ms', 'p99 ms', 'req/s', 'SQL/req', 'SQL min–max', 'server SQL/req'];
  const body = rows.map(({ label, tally }) => {
    const [lo, hi] = tally.statementRange;
    return [
      label,
      fixed(tally.percentileMs(0.5), 2),
      fixed(tally.percentileMs(0.99), 2),
      fixed(tally.requestsPerSecond, 0),
      fixed(tally.statementsPerRequest, 1),
      `${lo}–${hi}`,
      fixed(tally.serverStatementsPerRequest, 1),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ');
  const rule = widths.map((w) => '─'.repeat(w)).join('───');
  const ratios = [
    `hub/floor   p50 ${ratio(hub.percentileMs(0.5), floor.percentileMs(0.5))}   p99 ${ratio(hub.percentileMs(0.99), floor.percentileMs(0.99))}   req/s ${ratio(hub.requestsPerSecond, floor.requestsPerSecond)}   SQL/req ${ratio(hub.statementsPerRequest, floor.statementsPerRequest)}`,
    `naive/hub   p50 ${ratio(naive.percentileMs(0.5), hub.percentileMs(0.5))}   p99 ${ratio(naive.percentileMs(0.99), hub.percentileMs(0.99))}   req/s ${ratio(naive.requestsPerSecond, hub.requestsPerSecond)}   SQL/req ${ratio(naive.statementsPerRequest, hub.statementsPerRequest)}`,
  ];
  return [line(header), rule, ...body.map(line), rule, ...ratios].join('\n');
}
