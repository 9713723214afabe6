/** The caller and the audit trail. Access itself is enforced around every resolver (access/enforce.ts). */
import type { AuditRow } from '../../access/audit';
import { purposesFor } from '../../access/policy';
import { seesIdNumbers } from '../../access/decide';
import type { DepartmentCode } from '../../domain/departments';
import { departmentOf, unknownRegion } from '../common';
import type { HubContext } from '../context';
import { badInput, requireIdNumber } from '../../access/errors';

function encodeSeq(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

function decodeSeq(cursor: string): number | null {
  const m = /^seq:([1-9]\d{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

export const accessResolvers = {
  Query: {
    caller: (_: unknown, __: unknown, ctx: HubContext) => ctx.access,

    accessLog: async (_: unknown, args: { idNumber: string; first?: number | null; after?: string | null }, ctx: HubContext) => {
      const idNumber = requireIdNumber(args.idNumber);
      const first = args.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > 500) throw badInput('first', 'OUT_OF_RANGE', 'first must be between 1 and 500', { max: 500 });
      const before = args.after ? decodeSeq(args.after) : null;
      if (args.after && before === null) throw badInput('after', 'MALFORMED_CURSOR', 'after is not a cursor this API gave out');
      if (!ctx.audit) throw new Error('no audit store in this context');
      const page = await ctx.audit.entriesFor(idNumber, first, before);
      const edges = page.rows.map((node) => ({ cursor: encodeSeq(node.seq), node }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  },

  Caller: {
    name: (s: HubContext['access']) => s.caller!.name,
    department: (s: HubContext['access']) => departmentOf(s.caller!.department),
    regionScope: async (s: HubContext['access'], _: unknown, ctx: HubContext) =>
      (await ctx.loaders.hub.regionByCode.load(s.caller!.regionScope)) ?? unknownRegion(s.caller!.regionScope),
    roles: (s: HubContext['access']) => s.caller!.roles,
    allowedPurposes: (s: HubContext['access']) => purposesFor(s.caller!.roles),
    seesIdNumbers: (s: HubContext['access']) => seesIdNumbers(s.caller!),
  },

  AccessLogEntry: {
    seq: (r: AuditRow) => String(r.seq),
    at: (r: AuditRow) => `${r.at.replace(' ', 'T')}Z`,
    client: (r: AuditRow) => ({ name: r.clientName, department: r.department, regionScope: r.regionScope }),
  },

  AccessClient: {
    department: (c: { department: DepartmentCode }) => departmentOf(c.department),
  },
};
