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

export interface Compared {
  hub: Tally;
  /** Express + graphql-js, the same token look-up and audit append, hand-written SQL. */
  fair: Tally;
  /** In-process, no HTTP, token or audit: the reference limit. */
  floor: Tally;
  naive: Tally;
}

/** Issue 14's targets, as ratios within one run. */
const TARGETS: { label: string; value: (c: Compared) => number; holds: (v: number) => boolean; target: string }[] = [
  { label: 'hub/fair floor p50', value: (c) => c.hub.percentileMs(0.5) / c.fair.percentileMs(0.5), holds: (v) => v <= 1.15, target: '≤ 1.15' },
  { label: 'hub/fair floor req/s', value: (c) => c.hub.requestsPerSecond / c.fair.requestsPerSecond, holds: (v) => v >= 0.85, target: '≥ 0.85' },
  { label: 'hub/in-process floor p50', value: (c) => c.hub.percentileMs(0.5) / c.floor.percentileMs(0.5), holds: (v) => v <= 2.0, target: '≤ 2.00' },
  { label: 'naive/hub p50', value: (c) => c.naive.percentileMs(0.5) / c.hub.percentileMs(0.5), holds: (v) => v >= 5, target: '≥ 5.00' },
];

function ratioLine(name: string, a: Tally, b: Tally): string {
  return `${name.padEnd(22)}p50 ${ratio(a.percentileMs(0.5), b.percentileMs(0.5))}   p99 ${ratio(a.percentileMs(0.99), b.percentileMs(0.99))}   req/s ${ratio(a.requestsPerSecond, b.requestsPerSecond)}   SQL/req ${ratio(a.statementsPerRequest, b.statementsPerRequest)}`;
}

export function table(rows: Row[], c: Compared): string {
  const header = ['variant', 'p50 ms', 'p99 ms', 'req/s', 'SQL/req', 'SQL min–max', 'server SQL/req'];
  const body = rows.map(({ label, tally }) => {
    const range = tally.statementRange;
    return [
      label,
      fixed(tally.percentileMs(0.5), 2),
      fixed(tally.percentileMs(0.99), 2),
      fixed(tally.requestsPerSecond, 0),
      fixed(tally.statementsPerRequest, 1),
      range ? `${range[0]}–${range[1]}` : 'per run',
      fixed(tally.serverStatementsPerRequest, 1),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ');
  const rule = widths.map((w) => '─'.repeat(w)).join('───');
  const ratios = [
    ratioLine('hub/fair floor', c.hub, c.fair),
    ratioLine('hub/in-process floor', c.hub, c.floor),
    ratioLine('fair/in-process floor', c.fair, c.floor),
    ratioLine('naive/hub', c.naive, c.hub),
  ];
  const targets = TARGETS.map((t) => {
    const v = t.value(c);
    return `${t.label.padEnd(26)}${fixed(v, 2)}   target ${t.target}   ${t.holds(v) ? 'met' : 'NOT met'}`;
  });
  return [line(header), rule, ...body.map(line), rule, ...ratios, '', 'Targets (issue 14):', ...targets].join('\n');
}
