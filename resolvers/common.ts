/** Departments, programmes and regions: catalogue objects shared by every domain. */
import { unknownRegion, type RegionRow } from '../db/household/loaders';
export { unknownRegion };
import { DEPARTMENT_NAMES, type DepartmentCode } from '../domain/departments';
import type { Programme } from '../domain/programmes';
import type { HubContext } from './context';

export function departmentOf(code: DepartmentCode) {
  return { code, name: DEPARTMENT_NAMES[code] };
}

export const commonResolvers = {
  Programme: {
    department: (p: Programme) => departmentOf(p.department),
  },
  Region: {
    parent: (r: RegionRow, _: unknown, ctx: HubContext) => (r.parentCode ? ctx.loaders.hub.regionByCode.load(r.parentCode) : null),
  },
};
