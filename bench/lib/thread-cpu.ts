/**
 * CPU time by thread, from /proc (Linux): the bench's own threads (its client in the main thread,
 * each server's worker thread, V8's and libuv's helpers) and the private database server's, around
 * each variant's measured runs. With `npm run bench`'s concurrency above the number of cores, a
 * variant's p50 is about the CPU the whole machine spends on one request, so this says which
 * thread's share of it differs between the variants. `BENCH_THREAD_CPU=1 npm run bench` prints it.
 */
import fs from 'node:fs';

/** Ticks (USER_HZ, 100 a second) used by each thread of `pid`, by thread id, with its name. */
function threadTicks(pid: number): Map<number, { name: string; ticks: number }> {
  const out = new Map<number, { name: string; ticks: number }>();
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), { name, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** Per variant: ticks by (process, thread) over its measured runs, and its requests. */
export class ThreadCpu {
  private readonly spent = new Map<string, { requests: number; byThread: Map<string, number> }>();

  constructor(
    private readonly benchPid: number,
    private readonly databasePid: number | null,
  ) {}

  private snapshot(): Map<string, { name: string; ticks: number }> {
    const all = new Map<string, { name: string; ticks: number }>();
    for (const [tid, t] of threadTicks(this.benchPid)) all.set(`bench:${tid}`, { name: tid === this.benchPid ? 'main (client)' : t.name, ticks: t.ticks });
    if (this.databasePid) for (const [tid, t] of threadTicks(this.databasePid)) all.set(`db:${tid}`, { name: `db ${t.name}`, ticks: t.ticks });
    return all;
  }

  /** Runs `work` (`requests` requests of `variant`), adding each thread's ticks meanwhile. */
  async around(variant: string, requests: number, work: () => Promise<void>): Promise<void> {
    const before = this.snapshot();
    await work();
    const after = this.snapshot();
    const entry = this.spent.get(variant) ?? { requests: 0, byThread: new Map<string, number>() };
    entry.requests += requests;
    for (const [key, t] of after) {
      const delta = t.ticks - (before.get(key)?.ticks ?? 0);
      if (delta > 0) entry.byThread.set(`${key} ${t.name}`, (entry.byThread.get(`${key} ${t.name}`) ?? 0) + delta);
    }
    this.spent.set(variant, entry);
  }

  /** Lines: per variant, ms of CPU a request by thread (the largest first), bench and database totals. */
  report(): string[] {
    const lines: string[] = [];
    for (const [variant, { requests, byThread }] of this.spent) {
      const ms = (ticks: number) => ((ticks * 10) / requests).toFixed(3);
      let bench = 0;
      let db = 0;
      for (const [key, ticks] of byThread) {
        if (key.startsWith('db:')) db += ticks;
        else bench += ticks;
      }
      lines.push(`${variant}: ${requests} requests; CPU ms a request: bench process ${ms(bench)}, database server ${ms(db)}, both ${ms(bench + db)}`);
      const top = [...byThread].sort((a, b) => b[1] - a[1]).slice(0, 8);
      for (const [key, ticks] of top) lines.push(`  ${ms(ticks)}  ${key}`);
    }
    return lines;
  }
}

/**
 * CPU seconds of a process's main thread (its JavaScript, and garbage collection's pauses) and of
 * all its other threads together (V8's helpers: compiling optimised code, parallel and concurrent
 * collection; libuv's pool). A first run of code in a fresh process pays its compiling on the
 * helpers (docs/performance.md, Session 47). null where /proc has no such process.
 */
export function mainAndHelperSeconds(pid: number): { main: number; helpers: number } | null {
  const threads = threadTicks(pid);
  if (threads.size === 0) return null;
  let main = 0;
  let helpers = 0;
  for (const [tid, t] of threads) {
    if (tid === pid) main += t.ticks;
    else helpers += t.ticks;
  }
  return { main: main / 100, helpers: helpers / 100 };
}
