/**
 * What background jobs tell /metrics (server/metrics.ts): how a region scan or a monthly comparison
 * ended, and what a change-feed poll could not do. A failed run's `failure` (and its log line) was
 * all there was; an operator watching /metrics saw nothing of it.
 */
import type { DepartmentCode } from '../domain/departments';
import type { PolledSource } from '../federation/change-feed';

export type RunKind = 'scan' | 'monthly';

export interface JobMetrics {
  /** A run ended: `failure` null when it SUCCEEDED, else what the run row records as its failure. */
  runEnded(kind: RunKind, failure: string | null): void;
  /** A poll of `source`'s change feed failed (logged 'monitoring tick failed'): a department's, or `HUB`, the hub's person table (deaths). */
  pollFailed(source: PolledSource): void;
  /** `records` records of `department` the hub cannot read, left out of a poll. */
  pollLeftOut(department: DepartmentCode, records: number): void;
}
