/**
 * Small helpers the departments' parts of the demo population share (federation/<dept>/demo.ts):
 * day draws, amounts, spells and the basic-living status a person holds on a day.
 */
import type { DemoDraw, DemoPerson, DemoSpell } from './demo-contract';
import type { Rng } from './demo-random';

/**
 * Data defects sprinkled into the population on purpose, as shares of the records concerned, so
 * that the duplicate-aid and missed-aid rules have something to find.
 */
export const DEMO_DEFECTS = {
  aidNotStoppedAtDeath: 0.15,
  dibaoAndTekun: 0.04,
  dibaoInTwoCounties: 0.006,
  bothRentalForms: 0.025,
  aidOverOutOfPocket: 0.03,
} as const;

/** Round a yuan amount to a multiple of `step` yuan and return fen. */
export function fen(yuan: number, step = 1): number {
  return Math.max(step, Math.round(yuan / step) * step) * 100;
}

export function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

export function inSpell(s: DemoSpell | undefined, dn: number): boolean {
  return !!s && s.start <= dn && (s.end === null || dn <= s.end);
}

export function alive(m: DemoPerson, dn: number): boolean {
  return m.birth <= dn && (m.death === null || dn <= m.death);
}

/** A day in [from, to] (day numbers), or null when the range is empty. */
export function day(rng: Rng, from: number, to: number): number | null {
  return from > to ? null : rng.int(from, to);
}

/** The strongest basic-living status a person holds on a day, for medical aid. */
export function statusOn(h: DemoDraw, m: DemoPerson, dn: number): 'TEKUN' | 'ORPHAN' | 'DIBAO' | null {
  if (inSpell(h.tekunSpells.get(m), dn)) return 'TEKUN';
  if (inSpell(h.childSpells.get(m), dn)) return 'ORPHAN';
  if (inSpell(h.dibaoSpells.get(m), dn)) return 'DIBAO';
  return null;
}

/**
 * Whether a row keyed `key` is one of the rare ones (`perThousand` in a thousand), decided by a hash
 * of the key rather than a draw: adding such a column leaves the household's random stream, and so
 * every other row, unchanged.
 */
export function seldom(key: string, perThousand: number): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h % 1000 < perThousand;
}
