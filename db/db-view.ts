/**
 * A view of a drizzle mysql2 database whose statements are sent through another client, and the
 * database a view was made of.
 *
 * db/abandon.ts gives each department read such a view (`Scope.db`): its client hands the read's
 * abandonable scope to the pool with every statement. db/prepared.ts keeps its statements by the
 * database they were made for (`baseOf`) and runs them through the view's client. A module of its
 * own because db/prepared.ts needs it and db/abandon.ts imports db/connect.ts, which imports
 * db/prepared.ts.
 */

const bases = new WeakMap<object, object>();

/** What a view replaces: drizzle's MySqlDatabase builds every builder and execute from `this.session`, whose statements use `this.client`. */
interface ViewOf {
  session: { client: unknown };
  $client: unknown;
}

/**
 * `db` with its statements sent through `client`. Everything else is `db`'s, inherited: its
 * dialect, schema, logger and, for `transaction`, the pool's own `getConnection` (`client`
 * inherits it from the pool it stands for).
 */
export function viewThrough<D extends object>(db: D, client: object): D {
  const session = Object.create((db as unknown as ViewOf).session) as ViewOf['session'];
  session.client = client;
  const view = Object.create(db) as ViewOf;
  view.session = session;
  view.$client = client;
  bases.set(view, db);
  return view as unknown as D;
}

/** The database `db` is a view of, or `db` itself. */
export function baseOf<D extends object>(db: D): D {
  return (bases.get(db) as D | undefined) ?? db;
}

/** The client a database (or a view of one) sends its statements through. */
export function clientOf(db: object): unknown {
  return (db as ViewOf).session.client;
}
