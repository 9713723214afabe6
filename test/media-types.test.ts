/**
 * server/media-types.ts: negotiator's `mediaType`, as Apollo calls it on every request, answers
 * what negotiator's own answers for every header and offer (kept or not), and a header and offer
 * answered before is answered from memory, without negotiating again.
 */
import { createRequire } from 'node:module';
import { keepNegotiatedMediaTypes, KEPT } from '../server/media-types';

// The negotiator Apollo loads, as server/media-types.ts finds it.
type NegotiatorInstance = { mediaType(available?: unknown): string | undefined; mediaTypes(available?: unknown): string[] };
const Negotiator = createRequire(require.resolve('@apollo/server'))('negotiator') as new (request: { headers: { accept?: string } }) => NegotiatorInstance;
const original = Negotiator.prototype.mediaType;

// Apollo's three offers (runHttpQuery, requestPipeline, chooseContentTypeForSingleResultResponse).
const OFFERS = [
  ['multipart/mixed; incrementalSpec=v0.2', 'multipart/mixed; deferSpec=20220824'],
  ['application/json', 'application/graphql-response+json', 'application/json; charset=utf-8'],
  ['multipart/mixed; deferSpec=20220824', 'multipart/mixed; incrementalSpec=v0.2', 'multipart/mixed'],
];
const HEADERS = [
  undefined,
  '',
  '*/*',
  'application/json',
  'application/graphql-response+json, application/json;q=0.9',
  'application/json;q=0, application/graphql-response+json',
  'multipart/mixed; deferSpec=20220824, application/json',
  'multipart/mixed;incrementalSpec=v0.2;q=0.5, multipart/mixed; deferSpec=20220824;q=0.7',
  'text/html',
  'text/*;q=0.3, */*;q=0.1',
  'garbage;;;,,',
];

/** What negotiator itself answers, with the replacement out of the way. */
function negotiated(accept: string | undefined, offer: unknown): string | undefined {
  return original.call(new Negotiator({ headers: { accept } }), offer);
}

describe('keepNegotiatedMediaTypes', () => {
  const expected = HEADERS.flatMap((accept) => [...OFFERS, undefined].map((offer) => ({ accept, offer, answer: negotiated(accept, offer) })));
  beforeAll(() => keepNegotiatedMediaTypes());

  it('replaces the mediaType Apollo calls', () => {
    expect(Negotiator.prototype.mediaType).not.toBe(original);
  });

  it('answers as negotiator does, the first time and from memory', () => {
    for (let round = 0; round < 3; round++) {
      for (const { accept, offer, answer } of expected) expect([accept, offer, new Negotiator({ headers: { accept } }).mediaType(offer)]).toEqual([accept, offer, answer]);
    }
  });

  it('negotiates a header and offer it has answered once only', () => {
    const accept = 'application/graphql-response+json;q=0.8, application/json';
    const calls = (): number => {
      const n = new Negotiator({ headers: { accept } });
      let count = 0;
      // negotiator's mediaType calls the instance's mediaTypes: counted here.
      n.mediaTypes = (offer) => (count++, Negotiator.prototype.mediaTypes.call(n, offer));
      expect(n.mediaType(OFFERS[1])).toBe('application/json');
      return count;
    };
    expect(calls()).toBe(1);
    expect(calls()).toBe(0);
    expect(calls()).toBe(0);
  });

  it('keeps at most KEPT pairs, and answers the others as negotiator does', () => {
    for (let i = 0; i < KEPT + 20; i++) {
      const accept = `application/x-${i};q=0.5, application/json`;
      expect(new Negotiator({ headers: { accept } }).mediaType(OFFERS[1])).toBe(negotiated(accept, OFFERS[1]));
    }
    const late = 'application/x-late, application/graphql-response+json';
    const n = new Negotiator({ headers: { accept: late } });
    let count = 0;
    n.mediaTypes = (offer) => (count++, Negotiator.prototype.mediaTypes.call(n, offer));
    n.mediaType(OFFERS[1]);
    n.mediaType(OFFERS[1]);
    expect(count).toBe(2);
  });
});
