/**
 * The households a bench run measures and the ones it warms the hub with (bench/household.ts),
 * drawn from one seeded generator. The measured ones are drawn first, so `--warmup` changes only
 * which households warm the hub, never which are measured: drawn together and split after the
 * warm-up, a run with another `--warmup` measured other households and was not comparable.
 */
import type { Rng } from '../../federation/demo-random';

/** `count` of `ids` without repeats (with repeats when there are fewer), in the order drawn. */
export function sample(ids: readonly number[], count: number, rng: Rng): number[] {
  if (count > ids.length) return Array.from({ length: count }, () => rng.pick(ids));
  const pool = [...ids];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng.next() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/** `requests` households to measure, then `warmup` others to warm with (any, when too few are left). */
export function drawHouseholds(eligible: readonly number[], requests: number, warmup: number, rng: Rng): { measuredIds: number[]; warmupIds: number[] } {
  const measuredIds = sample(eligible, requests, rng);
  const measured = new Set(measuredIds);
  const rest = eligible.filter((id) => !measured.has(id));
  return { measuredIds, warmupIds: sample(rest.length >= warmup ? rest : eligible, warmup, rng) };
}
