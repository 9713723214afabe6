/**
 * server/plugins.ts hubPlugin: the hub's own plugins are one plugin to Apollo, so its hooks cost
 * one promise for all of them. What it must keep of Apollo's way of calling each plugin: members
 * called in the order given, each hook of each; a member's throw is a rejection of the hook while the
 * members after it still run; a hook waits for the members that return a promise, and a member after
 * such a one is called once it has settled; and when none
 * does, no promise is made for any (one shared settled promise is returned).
 */
import type { GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { hubPlugin, type HubPlugin } from '../server/plugins';
import type { HubContext } from '../resolvers/context';

const ctx = {} as GraphQLRequestContext<HubContext>;
type Hook = Parameters<NonNullable<GraphQLRequestListener<HubContext>['willSendResponse']>>[0];
const hookCtx = {} as Hook;

async function listenerOf(members: HubPlugin[]): Promise<GraphQLRequestListener<HubContext>> {
  const listener = await hubPlugin(members).requestDidStart!(ctx);
  return listener as GraphQLRequestListener<HubContext>;
}

describe('hubPlugin', () => {
  it('calls every member hook in the order given, and each request gets its members’ own listeners', async () => {
    const calls: string[] = [];
    const member = (name: string): HubPlugin => ({
      requestDidStart() {
        calls.push(`${name}.requestDidStart`);
        return {
          didResolveOperation: () => void calls.push(`${name}.didResolveOperation`),
          executionDidStart: () => void calls.push(`${name}.executionDidStart`),
          willSendResponse: () => void calls.push(`${name}.willSendResponse`),
        };
      },
    });
    const listener = await listenerOf([member('a'), {}, member('b')]);
    await listener.didResolveOperation!(hookCtx as never);
    // No execution listener: Apollo would hook every field for one.
    expect(await listener.executionDidStart!(hookCtx as never)).toBeUndefined();
    await listener.willSendResponse!(hookCtx);
    expect(calls).toEqual([
      'a.requestDidStart',
      'b.requestDidStart',
      'a.didResolveOperation',
      'b.didResolveOperation',
      'a.executionDidStart',
      'b.executionDidStart',
      'a.willSendResponse',
      'b.willSendResponse',
    ]);
  });

  it('makes a thrown refusal the hook’s rejection, and still runs the members after it', async () => {
    const refusal = new GraphQLError('too costly', { extensions: { code: 'BAD_USER_INPUT' } });
    let after = false;
    const listener = await listenerOf([
      { requestDidStart: () => ({ didResolveOperation: () => { throw refusal; } }) },
      { requestDidStart: () => ({ didResolveOperation: () => void (after = true) }) },
    ]);
    await expect(listener.didResolveOperation!(hookCtx as never)).rejects.toBe(refusal);
    expect(after).toBe(true);
  });

  it('settles a hook only once every member’s promise has, and rejects with a member’s rejection', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let settled = false;
    const listener = await listenerOf([
      { requestDidStart: () => ({ willSendResponse: () => held }) },
      { requestDidStart: () => ({ willSendResponse: () => Promise.resolve() }) },
    ]);
    const sending = Promise.resolve(listener.willSendResponse!(hookCtx)).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    release();
    await sending;
    expect(settled).toBe(true);

    const failing = await listenerOf([{ requestDidStart: () => ({ willSendResponse: () => Promise.reject(new Error('audit down')) }) }]);
    await expect(failing.willSendResponse!(hookCtx)).rejects.toThrow('audit down');
  });

  it('calls a member after one that returns a promise once it has settled, so it sees what that member did (the request counter after a failed audit append)', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const response = { status: 200 };
    const seen: number[] = [];
    const listener = await listenerOf([
      { requestDidStart: () => ({ willSendResponse: () => held.then(() => void (response.status = 503)) }) },
      { requestDidStart: () => ({ willSendResponse: () => void seen.push(response.status) }) },
    ]);
    const sending = listener.willSendResponse!(hookCtx);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([]);
    release();
    await sending;
    expect(seen).toEqual([503]);

    // A rejection still lets the members after it run, and is the hook's.
    const after: string[] = [];
    const failing = await listenerOf([
      { requestDidStart: () => ({ willSendResponse: () => Promise.reject(new Error('audit down')) }) },
      { requestDidStart: () => ({ willSendResponse: () => void after.push('counted') }) },
    ]);
    await expect(failing.willSendResponse!(hookCtx)).rejects.toThrow('audit down');
    expect(after).toEqual(['counted']);
  });

  it('returns one shared settled promise when no member has anything to wait for', async () => {
    const listener = await listenerOf([{ requestDidStart: () => ({ willSendResponse: () => undefined }) }, { requestDidStart: () => ({}) }]);
    const first = listener.willSendResponse!(hookCtx);
    const second = listener.didResolveOperation!(hookCtx as never);
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBe(first);
  });

  it('starts and stops every member’s server hooks', async () => {
    const stopped: string[] = [];
    const plugin = hubPlugin([
      { serverWillStart: async () => ({ serverWillStop: async () => void stopped.push('a') }) },
      {},
      { serverWillStart: async () => ({ serverWillStop: async () => void stopped.push('b') }) },
    ]);
    const server = await plugin.serverWillStart!({} as never);
    await server!.serverWillStop!();
    expect(stopped.sort()).toEqual(['a', 'b']);
  });
});
