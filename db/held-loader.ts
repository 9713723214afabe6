/**
 * A DataLoader that also hands back, without a promise, what it already holds: the values primed
 * into it and those its batches returned. A household query primes every member's person row and
 * the household's region; an aid record's `beneficiary` then costs GraphQL a plain value instead
 * of a promise from DataLoader's cache (a promise made for every hit, resolved with the cached
 * one), and the access policy's view of it is settled at once instead of after another `then`.
 * It is one aid record in a household query's dozens, each a few promises and microtasks.
 *
 * `load` keeps DataLoader's behaviour; only `loadHeld` answers from the held values. What is held
 * follows DataLoader's cache: a value primed after the key was asked for is ignored by both, and
 * clearing a key forgets it in both.
 */
import DataLoader from 'dataloader';

export class HeldLoader<K, V> extends DataLoader<K, V> {
  private readonly held: Map<K, V>;
  private readonly cached: Map<K, Promise<V>>;

  constructor(batch: DataLoader.BatchLoadFn<K, V>, options: Omit<DataLoader.Options<K, V>, 'cacheMap' | 'cacheKeyFn'> = {}) {
    const cached = new Map<K, Promise<V>>();
    const held = new Map<K, V>();
    super(async (keys) => {
      const values = await batch(keys);
      // Only a key still cached (not cleared meanwhile) is held; an error is never held.
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!(v instanceof Error) && cached.has(keys[i]) && !held.has(keys[i])) held.set(keys[i], v);
      }
      return values;
    }, { ...options, cacheMap: cached });
    this.cached = cached;
    this.held = held;
  }

  /** The value when held, else `load(key)`. */
  loadHeld(key: K): V | Promise<V> {
    return this.held.has(key) ? (this.held.get(key) as V) : this.load(key);
  }

  override prime(key: K, value: V | PromiseLike<V> | Error): this {
    // DataLoader keeps what it already has for the key; so does this.
    if (!this.cached.has(key) && !(value instanceof Error) && !isThenable(value)) this.held.set(key, value);
    return super.prime(key, value);
  }

  override clear(key: K): this {
    this.held.delete(key);
    return super.clear(key);
  }

  override clearAll(): this {
    this.held.clear();
    return super.clearAll();
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}
