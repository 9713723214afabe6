/**
 * The HTTP server's requests and responses made with the Express app's prototypes from the start.
 *
 * Express gives every request and response its app's prototypes (`app.request`, `app.response`) with
 * `Object.setPrototypeOf` as it begins to handle them. Node 20's V8 gives the object a map of its own
 * there, one no other object shares, and every property added to it afterwards (by Express, Node's
 * http and streams, body-parser, Apollo's integration) a new map again: from then on each property
 * read or written on that request or response misses its inline cache and is looked up by the
 * runtime (`Runtime_LoadIC_Miss`, `Runtime_StoreIC_Miss`), hundreds of times a request
 * (docs/performance.md, Session 35). A `setPrototypeOf` to the prototype an object already has
 * changes nothing, so the server makes its requests and responses (Node's `IncomingMessage` and
 * `ServerResponse` options of `http.createServer`) as instances of classes whose prototypes are the
 * app's: each class's prototype takes what the app's holds (Express's request or response methods
 * and `app`) and becomes `app.request` or `app.response`. Express still sets the prototype on every
 * request, so a request made before the app was adopted (a starting hub's 503) is handled as before.
 *
 * Classes, not functions given a `prototype`: V8 keeps one first map for the instances a constructor
 * makes for a `new.target` only when that is a class extending it; for any other function it makes a
 * new one at every construction, the same trouble again.
 */
import http from 'node:http';

/** What an Express app exposes of the prototypes it gives its requests and responses. */
export interface PrototypeSource {
  request: object;
  response: object;
}

/** Whether `listener` is an Express app: it has the prototypes it gives its requests. */
export function isPrototypeSource(listener: unknown): listener is PrototypeSource {
  const { request, response } = (listener ?? {}) as Partial<PrototypeSource>;
  return typeof request === 'object' && request !== null && typeof response === 'object' && response !== null;
}

/** `target` made to hold what `source` holds (its properties and its prototype), in its place. */
function takePlace(target: object, source: object): void {
  Object.setPrototypeOf(target, Object.getPrototypeOf(source));
  for (const key of Reflect.ownKeys(source)) Object.defineProperty(target, key, Object.getOwnPropertyDescriptor(source, key)!);
}

/**
 * One server's request and response classes (`options`, for `http.createServer`), whose prototypes
 * become one Express app's with `adopt`.
 */
export class ExpressMessages {
  private readonly request = class HubRequest extends http.IncomingMessage {};
  private readonly response = class HubResponse extends http.ServerResponse {};
  readonly options = {
    IncomingMessage: this.request,
    ServerResponse: this.response as typeof http.ServerResponse,
  } satisfies Pick<http.ServerOptions, 'IncomingMessage' | 'ServerResponse'>;

  private adopted: PrototypeSource | null = null;

  /** From now on the server's requests and responses have `app`'s prototypes: those prototypes are the classes'. */
  adopt(app: PrototypeSource): void {
    if (this.adopted === app) return;
    // A class's prototype is one object: taken by a second app it would no longer be the first's.
    if (this.adopted) throw new Error("the server already makes its requests with another app's prototypes");
    takePlace(this.request.prototype, app.request);
    takePlace(this.response.prototype, app.response);
    app.request = this.request.prototype;
    app.response = this.response.prototype;
    this.adopted = app;
  }
}

/** A server answering with the Express app `app`, its requests and responses made with the app's prototypes. */
export function createExpressServer(app: http.RequestListener & PrototypeSource): http.Server {
  const messages = new ExpressMessages();
  messages.adopt(app);
  return http.createServer(messages.options, app);
}
