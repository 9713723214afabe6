/**
 * The hub's clock in a test (HubDeps.clock, startTestHub's `clock`): set to an instant, it is what
 * the hub records as "now" for every write and read, so a test moves time without sleeping.
 * `follow` sets it to the time a step states (occurredAt, or a case's reportedAt), for scenarios
 * written as the hub recording each step when it happened.
 */
export class TestClock {
  at: Date;

  constructor(at: string | Date = new Date()) {
    this.at = new Date(at);
  }

  readonly now = (): Date => new Date(this.at);

  set(at: string | Date): void {
    this.at = new Date(at);
  }

  /** Moves to the time a mutation's input states, if it states one. */
  follow(variables: Record<string, unknown> | undefined): void {
    const input = variables?.input as { occurredAt?: unknown; reportedAt?: unknown } | undefined;
    const at = input?.occurredAt ?? input?.reportedAt;
    if (typeof at === 'string') this.set(at);
  }
}
