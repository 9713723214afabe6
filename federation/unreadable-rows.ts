/**
 * The department's records hold values the hub cannot read: how many, by field. Not which records:
 * a source reference can hold an ID number (a 低保 member's is family/ID/date). Its own file, below
 * the loaders, so that a department's adapter refusing a fact it cannot read (federation/health's
 * settlements) throws it without importing the loaders, which import the adapters.
 */
export class UnreadableRows extends Error {
  override name = 'UnreadableRows';
  readonly code = 'UNREADABLE_ROWS';
  constructor(readonly byField: Record<string, number>) {
    super('records with a value the hub cannot read');
  }
}
