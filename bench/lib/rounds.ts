/**
 * Rounds of one measurement, summarised: a p99 of a few thousand samples moves between runs of the
 * same code by more than the targets it is held to (Session 41: the pre-grant ratio 1.37–2.00×), so
 * a bench that repeats a measurement prints every round's figure and their median with its spread.
 * What each round measures is unchanged; only the summary is added.
 */
export interface Spread {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

/** The median (the mean of the middle two for an even count), lowest and highest of `values`. */
export function medianWithSpread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('medianWithSpread: no rounds');
  if (values.some((v) => !Number.isFinite(v))) throw new Error('medianWithSpread: a round is not a finite number');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], rounds: sorted.length };
}
