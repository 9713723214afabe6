/**
 * The fair floor: what any GraphQL server over HTTP must do for the bench's household query, and
 * nothing else. Express and graphql-js (each document parsed and validated once, then cached),
 * the hub's own token look-up (access/clients.ts `authenticate`) and audit append (one row per data
 * subject, durable before the answer leaves, through an AuditStore of its own on the same chain),
 * and the data by hand-written SQL (bench/floor.ts). No access policy, no DataLoader, no Apollo.
 *
 * The hub cannot be cheaper than this and do its job; the in-process floor (no HTTP, no token, no
 * audit) stays beside it as the reference limit.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { buildASTSchema, execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { AuditStore } from '../../access/audit';
import type { Authentication } from '../../access/clients';
import { parsePurpose } from '../../access/http';
import type { IsoDate } from '../../domain/dates';
import { loadTypeDefs } from '../../resolvers/index';
import { floorHousehold, type FloorPools } from '../floor';
import type { RunningServer } from './naive-server';

export interface FairFloorDeps {
  pools: FloorPools;
  /** The hub's token look-up, as the hub runs it. */
  authenticate: (authorization: string | undefined) => Promise<Authentication>;
  audit: AuditStore;
  today: IsoDate;
}

/** The hub's SDL with graphql-js's default resolvers: the floor's answer already has the query's shape. */
function floorSchema(): GraphQLSchema {
  return buildASTSchema(parse(loadTypeDefs().join('\n')), { assumeValidSDL: true });
}

export async function startFairFloorServer(deps: FairFloorDeps): Promise<RunningServer> {
  const schema = floorSchema();
  const documents = new Map<string, { document: DocumentNode; hash: string } | { errors: string[] }>();
  const documentOf = (query: string) => {
    let known = documents.get(query);
    if (!known) {
      const document = parse(query);
      const errors = validate(schema, document);
      known = errors.length > 0 ? { errors: errors.map((e) => e.message) } : { document, hash: crypto.createHash('sha256').update(query).digest('hex') };
      documents.set(query, known);
    }
    return known;
  };

  const app = express();
  // As the hub (server/app.ts): no ETag, so no body is hashed for one.
  app.set('etag', false);
  app.post('/graphql', express.json({ limit: '100kb' }), async (req, res, next) => {
    try {
      const auth = await deps.authenticate(req.get('authorization'));
      if (!auth.ok) return void res.status(401).json({ errors: [{ message: 'unauthenticated', extensions: { code: 'UNAUTHENTICATED', reason: auth.reason } }] });
      const purpose = parsePurpose(req.get('x-purpose'));
      if (purpose === 'UNKNOWN') return void res.status(400).json({ errors: [{ message: 'unknown purpose', extensions: { code: 'BAD_REQUEST' } }] });
      const { query, variables, operationName } = req.body as { query: string; variables?: Record<string, unknown>; operationName?: string };
      const doc = documentOf(query);
      if ('errors' in doc) return void res.status(400).json({ errors: doc.errors.map((message) => ({ message })) });

      let statements = 0;
      const answers: Awaited<ReturnType<typeof floorHousehold>>[] = [];
      const rootValue = {
        household: async ({ id }: { id: string }) => {
          const answer = await floorHousehold(deps.pools, Number(id), deps.today);
          statements += answer.statements;
          answers.push(answer);
          return answer.household;
        },
      };
      const result = await execute({ schema, document: doc.document, rootValue, variableValues: variables, operationName });

      // The same rows the hub writes for this query: the household, and each member.
      const subjects = answers.flatMap((a) =>
        a.household === null
          ? []
          : [{ kind: 'HOUSEHOLD' as const, householdId: Number(a.household.id) }, ...a.household.members.map((m) => ({ kind: 'PERSON' as const, idNumber: m.person.idNumber }))],
      );
      const outcome = result.errors?.length ? 'FAILED' : 'OK';
      await deps.audit.append({
        requestId: crypto.randomUUID(),
        caller: auth.caller,
        purpose,
        caseReference: null,
        officer: null,
        channel: 'GRAPHQL',
        operation: operationName ?? null,
        operationHash: doc.hash,
        subjects: subjects.map((subject) => ({ subject, outcome })),
        outcome,
      });
      res.json({ ...result, extensions: { sqlStatements: { total: statements, bySource: {} } } });
    } catch (err) {
      next(err);
    }
  });
  const httpServer = http.createServer(app);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`,
    stop: async () => {
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await deps.audit.close();
    },
  };
}
