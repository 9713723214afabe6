/**
 * Every department source the hub federates: one line per department. Everything about a
 * department lives in its folder (README, "Adding a department"); the rest of the hub reaches it
 * only through this map and the contract (federation/contract.ts).
 */
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { civilAffairs } from './civil-affairs/adapter';
import type { DepartmentAdapter, DepartmentFactReaders, FactKind } from './contract';
import { disability } from './disability/adapter';
import { education } from './education/adapter';
import { health } from './health/adapter';
import { housing } from './housing/adapter';
import { readingNormalisedIdNumbers } from './id-numbers';
import { readingKeyedSettlementRefs } from './settlement-refs';
import { humanResources } from './human-resources/adapter';
import { reported } from './reported/adapter';
import { union } from './union/adapter';

/**
 * The common aid record of one reported-aid ledger row: the ledger lives in the hub's own database,
 * so a household's read brings its members' entries along (db/household/loaders.ts).
 */
export { ledgerRecord } from './reported/adapter';

const DEPARTMENTS: Record<DepartmentCode, DepartmentAdapter> = {
  CIVIL_AFFAIRS: civilAffairs,
  EDUCATION: education,
  HOUSING: housing,
  HEALTH: health,
  UNION: union,
  DISABILITY: disability,
  HUMAN_RESOURCES: humanResources,
  REPORTED: reported,
};

/**
 * The departments as the hub reads them: each asked for an ID number and a settlement reference in
 * every form it may hold them, answering them as the hub keys people and stays
 * (federation/id-numbers.ts, federation/settlement-refs.ts), whatever its adapter does.
 */
export const ADAPTERS = Object.fromEntries(DEPARTMENT_CODES.map((code) => [code, readingKeyedSettlementRefs(readingNormalisedIdNumbers(DEPARTMENTS[code]))])) as Record<DepartmentCode, DepartmentAdapter>;

/** The departments that provide one kind of fact, each with its reader. */
export function factProviders<K extends FactKind>(kind: K): { code: DepartmentCode; reader: NonNullable<DepartmentFactReaders[K]> }[] {
  return DEPARTMENT_CODES.flatMap((code) => {
    const reader = ADAPTERS[code].facts?.[kind];
    return reader ? [{ code, reader: reader as NonNullable<DepartmentFactReaders[K]> }] : [];
  });
}

/** The one department that provides a kind of fact the rules read from a single source. */
export function factProvider<K extends FactKind>(kind: K): { code: DepartmentCode; reader: NonNullable<DepartmentFactReaders[K]> } {
  const all = factProviders(kind);
  if (all.length !== 1) throw new Error(`expected exactly one department providing ${kind}, found ${all.length}`);
  return all[0];
}
