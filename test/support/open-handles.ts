/**
 * What keeps this process alive: sockets, servers, child processes, timers. A jest worker exits
 * when its event loop is empty, and jest gives it half a second before it kills it and prints "a
 * worker process has failed to exit gracefully". So whatever a test file opens must be closed,
 * and the closing awaited, by the time its afterAll hooks are done.
 *
 * Counted with process.getActiveResourcesInfo() (only what keeps the loop alive: unref'd timers
 * and handles are not listed); described, where Node can say more, from process._getActiveHandles().
 */
import type { ChildProcess } from 'node:child_process';
import type net from 'node:net';

export type ResourceCounts = Map<string, number>;

export function activeResources(): ResourceCounts {
  const counts: ResourceCounts = new Map();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function activeHandles(): unknown[] {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
}

/** What a handle is, in words a reader can trace back to the test: ports, pid and command. */
export function describeHandle(handle: unknown): string {
  const name = (handle as object)?.constructor?.name ?? typeof handle;
  if (name === 'Socket' || name === 'TLSSocket') {
    const s = handle as net.Socket;
    if (s.remotePort === undefined) return `${name} (not connected, or a pipe)`;
    return `${name} ${s.localAddress}:${s.localPort} → ${s.remoteAddress}:${s.remotePort}`;
  }
  if (name === 'Server') {
    const address = (handle as net.Server).address();
    return `Server ${address && typeof address === 'object' ? `listening on ${address.address}:${address.port}` : '(closing)'}`;
  }
  if (name === 'ChildProcess') {
    const c = handle as ChildProcess;
    return `ChildProcess ${c.pid} (${c.spawnargs.slice(0, 3).join(' ')})${c.exitCode !== null || c.signalCode !== null ? ', exited but not yet reaped' : ''}`;
  }
  return name;
}

/**
 * Resource types a test cannot be held to here: none in a jest worker, where only the test file's
 * code runs; with --runInBand (or a single test file) jest's reporters share the process and
 * start and clear timers of their own, so timers are not counted there.
 */
export const UNATTRIBUTABLE: readonly string[] = process.send ? [] : ['Timeout'];

/** Resources in `now` beyond those in `before`, e.g. "TCPSocketWrap ×2". */
function extra(before: ResourceCounts, now: ResourceCounts, ignore: readonly string[]): string[] {
  const out: string[] = [];
  for (const [type, n] of now) {
    if (ignore.includes(type)) continue;
    const more = n - (before.get(type) ?? 0);
    if (more > 0) out.push(more > 1 ? `${type} ×${more}` : type);
  }
  return out;
}

/**
 * What is still open beyond `before`, once pending closes have had `turns` turns of the event
 * loop to finish (a socket or server whose close was awaited is gone within one or two); empty
 * when nothing is. Counts turns, not milliseconds: a loaded machine slows each turn, and a close
 * that was awaited needs none of them. `ignore`: resource types not to count.
 */
export async function leftOpen(before: Snapshot, turns = 50, ignore: readonly string[] = UNATTRIBUTABLE): Promise<string[]> {
  for (let turn = 0; ; turn++) {
    const types = extra(before.resources, activeResources(), ignore);
    if (types.length === 0) return [];
    if (turn >= turns) {
      const described = activeHandles()
        .filter((h) => !before.handles.has(h) && (h as { hasRef?: () => boolean }).hasRef?.() !== false)
        .map(describeHandle);
      return [...types.map((t) => `resource ${t}`), ...described];
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface Snapshot {
  resources: ResourceCounts;
  handles: Set<unknown>;
}

/**
 * What is open now, to compare against later with `leftOpen`. The process's own stdout and stderr
 * are opened first: Node opens each the first time anything touches it (a test's write, a library's
 * warning, `process.emitWarning`), and in a jest worker they are pipes, so the first test file in a
 * worker to cause a write would otherwise be charged with a PipeWrap it cannot close and that
 * lives as long as the process.
 */
export function openNow(): Snapshot {
  void process.stdout;
  void process.stderr;
  return { resources: activeResources(), handles: new Set(activeHandles()) };
}
