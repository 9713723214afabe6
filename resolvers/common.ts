/** Departments, programmes and regions: catalogue objects shared by every domain. */
import type { RegionRow } from '../db/household/loaders';
import { DEPARTMENT_NAMES, type DepartmentCode } from '../domain/departments';
import { divisionLevel } from '../domain/division-code';
import type { Programme } from '../domain/programmes';
import type { HubContext } from './context';

export function departmentOf(code: DepartmentCode) {
  return { code, name: DEPARTMENT_NAMES[code] };
}

/** A division the hub's table does not list still answers with its code and level. */
export function unknownRegion(code: string): RegionRow {
  return { code, name: code, level: divisionLevel(code), parentCode: null };
}

export const commonResolvers = {
  Programme: {
    department: (p: Programme) => departmentOf(p.department),
  },
  Region: {
    parent: (r: RegionRow, _: unknown, ctx: HubContext) => (r.parentCode ? ctx.loaders.hub.regionByCode.load(r.parentCode) : null),
  },
};
