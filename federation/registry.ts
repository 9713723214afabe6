/**
 * Every department source the hub federates. Adding a department is one adapter folder and one
 * line here (see README, "Adding a department").
 */
import type { DepartmentCode } from '../domain/departments';
import { civilAffairs } from './civil-affairs/adapter';
import { disability } from './disability/adapter';
import { education } from './education/adapter';
import { health } from './health/adapter';
import { housing } from './housing/adapter';
import type { DepartmentAdapter } from './contract';
import { union } from './union/adapter';

export const ADAPTERS: Record<DepartmentCode, DepartmentAdapter> = {
  CIVIL_AFFAIRS: civilAffairs,
  EDUCATION: education,
  HOUSING: housing,
  HEALTH: health,
  UNION: union,
  DISABILITY: disability,
};
