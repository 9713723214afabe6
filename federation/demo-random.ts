/**
 * A small seeded PRNG (mulberry32) and the draws the generator needs. Each household gets its own
 * stream, seeded from (seed, household number), so a household's contents never depend on how the
 * run is cut into chunks.
 */

/** 32-bit integer mix (from MurmurHash3's finaliser). */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A 32-bit seed from any number of integers. */
export function seedOf(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    // Fold in the low and high 32 bits so household numbers past 2^32 still differ.
    h = mix32(h ^ (p >>> 0));
    h = mix32(h ^ Math.floor(p / 4294967296));
  }
  return h;
}

/** A 32-bit seed from a text seed such as "42" or "demo". Numeric text is taken as the number. */
export function seedFromText(seed: string | number): number {
  if (typeof seed === 'number' || /^\d+$/.test(seed)) return seedOf(Number(seed));
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return seedOf(h >>> 0);
}

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and spread (sigma of the log). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
}

/** Weighted choice from precomputed cumulative weights. */
export class Weighted<T> {
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(readonly items: ReadonlyArray<readonly [T, number]>) {
    let sum = 0;
    this.cumulative = items.map(([, w]) => (sum += w));
    this.total = sum;
  }

  pick(rng: Rng): T {
    const x = rng.next() * this.total;
    // Lists are short: a linear scan beats a binary search.
    for (let i = 0; i < this.cumulative.length; i++) if (x < this.cumulative[i]) return this.items[i][0];
    return this.items[this.items.length - 1][0];
  }
}
