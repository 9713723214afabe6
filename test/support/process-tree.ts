/**
 * Processes as Linux's /proc shows them, for tests of what a process leaves behind when it stops:
 * the tree under a process while it runs, and whether each of those is still running later.
 */
import fs from 'node:fs';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** Its process group (/proc/PID/stat field 5): who a signal sent to a group (`kill -- -PGID`, Ctrl-C) reaches. */
  pgid: number;
  /**
   * Clock ticks after boot at which the process started (/proc/PID/stat field 22): with the pid,
   * it names one process, so a pid the kernel has handed to a newcomer is not mistaken for it.
   */
  startTime: string;
  /** Its command line, for a failure message. */
  args: string;
}

/** A process's entry, or null when it is gone (or not ours to read). */
export function processEntry(pid: number): (ProcessEntry & { state: string }) | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0], ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: fields[19], args: commandLine(pid) };
  } catch {
    return null;
  }
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '(gone)';
  }
}

/** Running: present and not a zombie waiting for a parent to reap it. */
export function alive(pid: number): boolean {
  const entry = processEntry(pid);
  return entry !== null && entry.state !== 'Z';
}

/** The same process still running: its pid not reaped, nor reused by another. */
export function stillRunning(p: ProcessEntry): boolean {
  const entry = processEntry(p.pid);
  return entry !== null && entry.state !== 'Z' && entry.startTime === p.startTime;
}

/** `root` and every process below it, running now (zombies left out). */
export function processTree(root: number): ProcessEntry[] {
  const all: ProcessEntry[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const entry = processEntry(Number(name));
    if (entry && entry.state !== 'Z') all.push(entry);
  }
  const tree = all.filter((p) => p.pid === root);
  for (let i = 0; i < tree.length; i++) tree.push(...all.filter((p) => p.ppid === tree[i].pid));
  return tree;
}

/**
 * Every process seen under a root while it ran, by pid: what must all be gone after it stops, and
 * what a test's cleanup ends after a failure, each by the pid recorded (never by name).
 */
export class SeenProcesses {
  private readonly seen = new Map<number, ProcessEntry>();

  /** Adds what runs under `root` now. */
  record(root: number | undefined): void {
    if (root !== undefined) for (const p of processTree(root)) this.seen.set(p.pid, p);
  }

  all(): ProcessEntry[] {
    return [...this.seen.values()];
  }

  /** What of them still runs, `pid args` each, for a failure message. */
  running(): string[] {
    return this.all()
      .filter(stillRunning)
      .map((p) => `${p.pid} ${p.args}`);
  }

  /** Kills what of them still runs (SIGKILL), and forgets them all. */
  killRunning(): void {
    for (const p of this.all()) if (stillRunning(p)) process.kill(p.pid, 'SIGKILL');
    this.seen.clear();
  }
}
