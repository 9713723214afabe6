/**
 * What every DataLoader batch function does last: put the rows of one statement back in key
 * order, one entry per key (DataLoader's contract).
 */

import { groupBy } from '../domain/group-by';

/** One row per key, or null where none came back. */
export function byKey<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map<K, V>();
  for (const row of rows) map.set(keyOf(row), row);
  return keys.map((k) => map.get(k) ?? null);
}

/** Every row of each key, in the order they came back; an empty list where none did. */
export function groupByKey<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): V[][] {
  const map = groupBy(rows, keyOf);
  return keys.map((k) => map.get(k) ?? []);
}
