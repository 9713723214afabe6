/**
 * prom-client 15 checks and hashes an observation's labels on every call, and its labelled children
 * (`histogram.labels(...)`) do the same: each `observe` validates the label names, builds the
 * series' key text (`department:CIVIL_AFFAIRS,available:true,`), looks the series up, converts the
 * bucket bound it found to a property name and counts it; `gauge.set` also makes a new series
 * object each time. A household query observes the read histogram and sets the availability gauge
 * once per department read, and observes the request and audit histograms once each: about 0.1 M
 * instructions a query (docs/performance.md, session 34).
 *
 * A child here is made once per series (the hub keeps them by label values) and remembers the
 * series' key, and for a histogram the series object prom-client keeps under it and the bucket
 * bounds' property names. An observation then adds to that object exactly as prom-client's own
 * `observe` does (sum, count and the bucket whose bound is the first at or above the value). Where
 * the remembered object is not the one prom-client holds now (the series not yet made, the metric
 * reset or the series removed) or the value is not a finite number, prom-client's own `observe` is
 * called, and the series it holds is remembered again. A histogram with exemplars is always left to
 * prom-client. A gauge child skips `set` when the series already holds that value (the same output)
 * and calls prom-client's `set` otherwise.
 */
import { createRequire } from 'node:module';
import type { Gauge, Histogram } from 'prom-client';

const promRequire = createRequire(require.resolve('prom-client'));
const { hashObject } = promRequire('./lib/util') as { hashObject: (labels: object, names?: readonly string[]) => string };

/** A histogram series as prom-client 15 keeps it (lib/histogram.js createBaseValues). */
interface HistogramSeries {
  sum: number;
  count: number;
  bucketValues: Record<string, number>;
}

/** The parts of prom-client's Histogram read here; not in its typings. */
interface HistogramInternals {
  hashMap: Record<string, HistogramSeries | undefined>;
  upperBounds: readonly number[];
  sortedLabelNames: readonly string[];
  enableExemplars: boolean;
}

/** The part of prom-client's Gauge read here. */
interface GaugeInternals {
  hashMap: Record<string, { value: number } | undefined>;
}

export interface HistogramChild {
  observe(value: number): void;
}

export interface GaugeChild {
  set(value: number): void;
}

/** One series of `histogram`, for `labels` (not changed afterwards: prom-client may keep the object). */
export function histogramChild<T extends string>(histogram: Histogram<T>, labels: Partial<Record<T, string | number>>): HistogramChild {
  const inner = histogram as unknown as HistogramInternals;
  if (inner.enableExemplars || !Array.isArray(inner.upperBounds) || !Array.isArray(inner.sortedLabelNames)) {
    return { observe: (value) => histogram.observe(labels, value) };
  }
  const key = hashObject(labels, inner.sortedLabelNames);
  const bounds = inner.upperBounds;
  const names = bounds.map(String);
  let series: HistogramSeries | undefined;
  return {
    observe(value) {
      if (series === undefined || inner.hashMap[key] !== series || !Number.isFinite(value)) {
        histogram.observe(labels, value);
        series = inner.hashMap[key];
        return;
      }
      series.sum += value;
      series.count += 1;
      for (let i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          if (Object.hasOwn(series.bucketValues, names[i])) series.bucketValues[names[i]] += 1;
          return;
        }
      }
    },
  };
}

/** One series of `gauge`, for `labels` (not changed afterwards: prom-client keeps the object). */
export function gaugeChild<T extends string>(gauge: Gauge<T>, labels: Partial<Record<T, string | number>>): GaugeChild {
  const inner = gauge as unknown as GaugeInternals;
  // As prom-client's setValue keys a gauge's series: by the labels' own keys, sorted.
  const key = hashObject(labels);
  return {
    set(value) {
      if (inner.hashMap?.[key]?.value === value) return;
      gauge.set(labels, value);
    },
  };
}
