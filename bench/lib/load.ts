/**
 * The machine's load, printed by every bench beside its figures: milliseconds move with it, so a
 * run is read with the load it ran under (README "Bench").
 */
import os from 'node:os';

/** The 1, 5 and 15 minute load averages, `digits` decimals each. */
export function loadAverage(digits = 2): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(digits))
    .join(' ');
}

/** `<cores> cores, load average <1> <5> <15>`: a bench's line before and after it measures. */
export function machineLoad(): string {
  return `${os.cpus().length} cores, load average ${loadAverage()}`;
}
