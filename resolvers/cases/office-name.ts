/**
 * An office's name as `Office.name` gives it: a township by its name, a department office of a
 * known county as that county's office (任城区司法局), a city-wide one by the department's name. A
 * message that names the office a slip went to (a charity need's GOVERNMENT_AID_PENDING) names it
 * so too, not by the bare department (医疗保障局) that every county has.
 */
import { unknownRegion } from '../../db/household/loaders';
import { departmentOfficeName, type Office } from '../../domain/cases/offices';
import type { HubContext } from '../context';

export async function officeNameOf(ctx: HubContext, o: Office): Promise<string> {
  if (o.kind === 'TOWNSHIP') return ((await ctx.loaders.hub.regionByCode.load(o.townshipCode)) ?? unknownRegion(o.townshipCode)).name;
  const county = o.kind === 'DEPARTMENT' && o.countyCode ? ((await ctx.loaders.hub.regionByCode.load(o.countyCode))?.name ?? null) : null;
  return departmentOfficeName(o, county)!;
}
