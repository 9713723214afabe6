/** `npm run bench -- [--households N] [--requests M] [--warmup W] [--concurrency C] [--seed S] [--servers P]` */
import type { ServerPlacement } from './servers';
import { UsageError } from '../../tools/command-args';

export interface BenchOptions {
  households: number;
  /** Measured requests per variant; every variant gets the same households in the same order. */
  requests: number;
  /**
   * Unmeasured requests per variant before the measured rounds, on households of their own. The
   * hub runs far more JavaScript than the floors, which V8 is still optimising after a few hundred.
   */
  warmup: number;
  concurrency: number;
  seed: string | number;
  /** `npm run bench` only: each HTTP server in a worker thread of its own, or all in the client's thread. */
  servers: ServerPlacement;
}

/** The usage of `command`; `servers`: it takes `--servers` (`npm run bench`, not `bench:household-cpu`). */
export function usageOf(command: string, servers: boolean): string {
  return `usage: ${command} -- [--households N] [--requests M] [--warmup W] [--concurrency C] [--seed S]${servers ? ' [--servers P]' : ''}

  --households N   households to generate and load (default 10000)
  --requests M     measured household queries per variant (default 2000)
  --warmup W       unmeasured household queries per variant before them (default 1000; 0 for none)
  --concurrency C  requests in flight at once (default 8)
  --seed S         seed for the generated data and the sample (default 1)${
    servers
      ? `
  --servers P      where the HTTP servers measured run: threads (default), each in a worker thread of
                   its own with its own pools; same-thread, all in the client's thread on its pools
                   (before session 29), where each one's latency includes the client's work`
      : ''
  }

Data go to a private throwaway database server, or, with BENCH_DATABASE_URL=mysql://user:pass@host:port/,
to databases of the bench's own on that server; either way they are removed at the end.`;
}

export const USAGE = usageOf('npm run bench', true);

/**
 * The tools' UsageError: its message starts with its code, so a bench refuses an option as every
 * tool does, `error: CODE: …` with the usage (printUsageError), exit 2. It said `unknown option` or
 * `needs a value` with no code.
 */
export { UsageError };

export function parseOptions(argv: readonly string[], accepts: { servers: boolean } = { servers: true }): BenchOptions | 'help' {
  const opts: BenchOptions = { households: 10_000, requests: 2000, warmup: 1000, concurrency: 8, seed: 1, servers: 'threads' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`MISSING_OPTION_VALUE: ${name} needs a value`);
    const integer = (least: 0 | 1) => {
      // Number('') is 0 and Number(' 5') 5: only digits are a count.
      const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
      // The codes of positiveIntArg (tools/command-args.ts): no whole number, or one out of range.
      if (!Number.isSafeInteger(n) || n < least) throw new UsageError(`${Number.isNaN(n) ? 'MALFORMED_NUMBER' : 'OUT_OF_RANGE'}: ${name} must be a ${least === 1 ? 'positive' : 'non-negative'} integer, got ${JSON.stringify(value)}`);
      return n;
    };
    const positive = () => integer(1);
    switch (name) {
      case '--households':
        opts.households = positive();
        break;
      case '--requests':
        opts.requests = positive();
        break;
      case '--warmup':
        opts.warmup = integer(0);
        break;
      case '--concurrency':
        opts.concurrency = positive();
        break;
      case '--seed':
        opts.seed = /^\d+$/.test(value) ? Number(value) : value;
        break;
      case '--servers':
        if (!accepts.servers) throw new UsageError(`UNKNOWN_OPTION: unknown option ${name}`);
        if (value !== 'threads' && value !== 'same-thread') throw new UsageError(`UNKNOWN_VALUE: --servers must be threads or same-thread, got ${JSON.stringify(value)}`);
        opts.servers = value;
        break;
      default:
        throw new UsageError(`UNKNOWN_OPTION: unknown option ${name}`);
    }
  }
  return opts;
}
