/**
 * The CPU seconds a process has used, from /proc (Linux); null elsewhere, or for no process. With
 * the machine shared, CPU time says what a run costs better than the wall clock does; the benches
 * read the database server's this way, beside their own process.cpuUsage().
 */
import fs from 'node:fs';

export function cpuSecondsOf(pid: number | null): number | null {
  if (!pid) return null;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    // After the command (in parentheses, and may hold spaces): state is field 3, utime and stime
    // fields 14 and 15, in clock ticks (USER_HZ: 100 a second on every Linux build Node runs on).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
