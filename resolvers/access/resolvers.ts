/** The caller and the audit trail. Access itself is enforced around every resolver (access/enforce.ts). */
import { purposesFor } from '../../access/policy';
import { seesIdNumbers } from '../../access/decide';
import { fromDbInstant, fromDbInstantOrNull } from '../../db/instants';
import { decodeIdCursor, encodeIdCursor } from '../../domain/cursor';
import type { DepartmentCode } from '../../domain/departments';
import type { Resolvers } from '../__generated__/types';
import { AUDIT_PAGE_MAX, departmentOf, pageOf, pageSize, positionAfter, unknownRegion } from '../common';
import { givenOfficer, requireHouseholdId, requireIdNumber, badInput } from '../../access/errors';
import { inScope, outOfScope } from '../../access/decide';
import { forbidden } from '../../access/session';
import type { AuditRow, AuditStore } from '../../access/audit';
import type { ClientRead } from '../../access/policy';
import type { HubContext } from '../context';

const SEQ = 'seq';

/** The days an audit read keeps (China's, both included); `from` after `to` is refused. */
function daysOf(args: { from?: string | null; to?: string | null }): { from: string | null; to: string | null } {
  if (args.from && args.to && args.from > args.to) throw badInput('from', 'EMPTY_WINDOW', '`from` is after `to`');
  return { from: args.from ?? null, to: args.to ?? null };
}

/** The paging and days every audit read takes, checked alike (first 1..500, the cursor, from ≤ to), and the store. */
function auditRead(args: { first?: number | null; after?: string | null; from?: string | null; to?: string | null }, ctx: HubContext) {
  const first = pageSize(args.first, 50, AUDIT_PAGE_MAX);
  const before = positionAfter(args.after, (cursor) => decodeIdCursor(SEQ, cursor));
  const days = daysOf(args);
  if (!ctx.audit) throw new Error('no audit store in this context');
  return { audit: ctx.audit, first, before, days };
}

/**
 * The client an audit read names, once it is found within the auditor's scope; the look-up is
 * recorded either way (subject CLIENT, what was read), refused DENIED. A name no client has reads as
 * one outside the scope: an auditor learns nothing of other regions' clients.
 */
async function auditedClient(subject: { name: string } & ClientRead, field: string, audit: AuditStore, ctx: HubContext): Promise<{ id: number; name: string }> {
  // Found only when spelled exactly (no other case, no trailing space): recorded under the stored name.
  const client = await audit.clientNamed(subject.name);
  const found = client !== null && inScope(ctx.access.caller!.regionScope, client.regionScope);
  ctx.access.record([{ kind: 'CLIENT', ...subject, name: client?.name ?? subject.name, found }], !found);
  if (!found) throw forbidden(outOfScope(field));
  return client!;
}

function entriesPage(page: { rows: AuditRow[]; hasNextPage: boolean }) {
  return pageOf(page, (r) => encodeIdCursor(SEQ, r.seq), (r) => r);
}

export const accessResolvers: Resolvers = {
  Query: {
    caller: (_, __, ctx) => ctx.access,

    accessLog: async (_, args, ctx) => {
      const idNumber = requireIdNumber(args.idNumber);
      const { audit, first, before, days } = auditRead(args, ctx);
      return entriesPage(await audit.entriesFor(idNumber, first, before, days));
    },

    householdAccessLog: async (_, args, ctx) => {
      const householdId = requireHouseholdId(args.householdId, 'householdId');
      const { audit, first, before, days } = auditRead(args, ctx);
      return entriesPage(await audit.entriesForHousehold(householdId, first, before, days));
    },

    clientAccessLog: async (_, args, ctx) => {
      const officer = givenOfficer(args.officer, 'officer');
      const { audit, first, before, days } = auditRead(args, ctx);
      const client = await auditedClient({ name: args.client, read: 'ENTRIES', officer }, 'Query.clientAccessLog', audit, ctx);
      return entriesPage(await audit.entriesByClient(client.id, officer, first, before, days));
    },

    clientAuditLookups: async (_, args, ctx) => {
      const { audit, first, before, days } = auditRead(args, ctx);
      const client = await auditedClient({ name: args.client, read: 'LOOKUPS', officer: null }, 'Query.clientAuditLookups', audit, ctx);
      return entriesPage(await audit.lookupsOfClient(client.name, first, before, days));
    },
  },

  Caller: {
    name: (s) => s.caller!.name,
    department: (s) => departmentOf(s.caller!.department),
    regionScope: async (s, _, ctx) => (await ctx.loaders.hub.regionByCode.load(s.caller!.regionScope)) ?? unknownRegion(s.caller!.regionScope),
    roles: (s) => s.caller!.roles,
    allowedPurposes: (s) => purposesFor(s.caller!.roles, s.caller!.department),
    seesIdNumbers: (s) => seesIdNumbers(s.caller!, s.purpose),
    requiresOfficer: (s) => s.caller!.requireOfficer === true,
    expiresAt: (s) => fromDbInstantOrNull(s.caller!.expiresAt ?? null),
  },

  AccessLogEntry: {
    seq: (r) => String(r.seq),
    at: (r) => fromDbInstant(r.at),
    // One text in the row (access/audit.ts), written by rootFieldsOf (server/plugins.ts).
    fields: (r) => (r.rootFields === null ? null : r.rootFields.split(', ')),
    // The trail records the client's department code as the client had it (access/audit.ts).
    client: (r) => ({ name: r.clientName, department: r.department as DepartmentCode, regionScope: r.regionScope }),
  },

  AccessClient: {
    department: (c) => departmentOf(c.department),
  },
};
