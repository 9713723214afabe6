/**
 * What access enforcement reads from a request's context: who asks (the session), the list cap,
 * and the hub's loaders for the regions of subjects. The full per-request context
 * (resolvers/context.ts) has all of it; access declares only this, so it depends on the data
 * layer and never on the resolvers it guards.
 */
import type { PolicyContext } from './policy';
import type { AccessSession } from './session';

export interface AccessContext extends PolicyContext {
  access: AccessSession;
  config: { maxListSize: number };
}
