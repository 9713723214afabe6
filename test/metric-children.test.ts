/**
 * server/metric-children.ts: observations through a child leave the registry's text exactly as
 * prom-client's own `observe` and `set` leave it (bounds, values above every bound, sums, a reset
 * and a removed series between them, a value that is not a number), and after a series' first
 * observation the child no longer goes through prom-client's `observe`.
 */
import { Gauge, Histogram, Registry } from 'prom-client';
import { gaugeChild, histogramChild } from '../server/metric-children';

function pair() {
  const make = () => {
    const registry = new Registry();
    const histogram = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['department', 'available'] as const, buckets: [0.001, 0.005, 0.01, 0.1, 1], registers: [registry] });
    const gauge = new Gauge({ name: 'g', help: 'g', labelNames: ['department'] as const, registers: [registry] });
    return { registry, histogram, gauge };
  };
  return { plain: make(), children: make() };
}

const VALUES = [0, 0.001, 0.0010001, 0.004, 0.005, 0.05, 0.1, 0.7, 1, 1.5, 30, 0.003];

describe('histogramChild and gaugeChild', () => {
  it('leave the same metrics text as prom-client does', async () => {
    const { plain, children } = pair();
    const labels = [
      { department: 'CIVIL_AFFAIRS', available: 'true' },
      { department: 'CIVIL_AFFAIRS', available: 'false' },
      { department: 'HEALTH', available: 'true' },
    ];
    const kids = labels.map((l) => histogramChild(children.histogram, l));
    const gauges = ['CIVIL_AFFAIRS', 'HEALTH'].map((department) => ({ department, child: gaugeChild(children.gauge, { department }) }));
    const round = (k: number) => {
      VALUES.forEach((v, i) => {
        const n = (i + k) % labels.length;
        plain.histogram.observe(labels[n], v);
        kids[n].observe(v);
        const g = gauges[(i + k) % 2];
        const value = (i * k) % 3 === 0 ? 1 : 0;
        plain.gauge.set({ department: g.department }, value);
        g.child.set(value);
      });
    };
    round(0);
    expect(await children.registry.metrics()).toBe(await plain.registry.metrics());
    round(1);
    expect(await children.registry.metrics()).toBe(await plain.registry.metrics());
    plain.histogram.reset();
    children.histogram.reset();
    plain.gauge.reset();
    children.gauge.reset();
    round(2);
    expect(await children.registry.metrics()).toBe(await plain.registry.metrics());
    plain.histogram.remove('HEALTH', 'true');
    children.histogram.remove('HEALTH', 'true');
    plain.gauge.remove('HEALTH');
    children.gauge.remove('HEALTH');
    round(3);
    expect(await children.registry.metrics()).toBe(await plain.registry.metrics());
    expect(() => plain.histogram.observe(labels[0], NaN)).toThrow(TypeError);
    expect(() => kids[0].observe(NaN)).toThrow(TypeError);
    expect(await children.registry.metrics()).toBe(await plain.registry.metrics());
  });

  it('go through prom-client only for a series it does not hold yet', () => {
    const { children } = pair();
    let calls = 0;
    const own = children.histogram.observe.bind(children.histogram);
    children.histogram.observe = ((...args: Parameters<typeof own>) => (calls++, own(...args))) as typeof own;
    const child = histogramChild(children.histogram, { department: 'HOUSING', available: 'true' });
    for (const v of VALUES) child.observe(v);
    expect(calls).toBe(1);
    children.histogram.reset();
    for (const v of VALUES) child.observe(v);
    expect(calls).toBe(2);

    let sets = 0;
    const set = children.gauge.set.bind(children.gauge) as (labels: object, value: number) => void;
    children.gauge.set = ((labels: object, value: number) => (sets++, set(labels, value))) as typeof children.gauge.set;
    const gauge = gaugeChild(children.gauge, { department: 'HOUSING' });
    for (const v of [1, 1, 1, 0, 0, 1]) gauge.set(v);
    expect(sets).toBe(3);
  });
});
