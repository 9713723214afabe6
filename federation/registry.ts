/**
 * Every department source the hub federates: one line per department. Everything about a
 * department lives in its folder (README, "Adding a department"); the rest of the hub reaches it
 * only through this map and the contract (federation/contract.ts).
 */
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { civilAffairs } from './civil-affairs/adapter';
import type { Comparison, DepartmentAdapter, DepartmentFactReaders, FactKind } from './contract';
import { disability } from './disability/adapter';
import { education } from './education/adapter';
import { health } from './health/adapter';
import { housing } from './housing/adapter';
import { readingNormalisedIdNumbers, type OtherWritings } from './id-numbers';
import { readingKeyedSettlementRefs } from './settlement-refs';
import { humanResources } from './human-resources/adapter';
import { reported } from './reported/adapter';
import { union } from './union/adapter';

/**
 * The common aid record of one reported-aid ledger row: the ledger lives in the hub's own database,
 * so a household's read brings its members' entries along (db/household/loaders.ts).
 */
export { ledgerRecord } from './reported/adapter';

/** The adapters as their folders write them (their tables, person keys), before the layers below. */
export const ADAPTERS_AS_WRITTEN: Readonly<Record<DepartmentCode, DepartmentAdapter>> = {
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
export const ADAPTERS = adaptersComparing({});

/**
 * The departments read as ADAPTERS reads them, each asking only the forms its server does not
 * match itself (federation/comparisons.ts) and, where given, only the other writings of an ID
 * number (an old 15-digit number, full-width digits) its rows were found to hold
 * (federation/id-numbers.ts `OtherWritings`): what a region scan reads through, having read both
 * when it started. A department left out is asked every form.
 */
export function adaptersComparing(comparisons: Partial<Record<DepartmentCode, Comparison>>, writings: Partial<Record<DepartmentCode, OtherWritings>> = {}): Record<DepartmentCode, DepartmentAdapter> {
  return Object.fromEntries(
    DEPARTMENT_CODES.map((code) => {
      const comparison = comparisons[code] ?? 'EXACT';
      return [code, readingKeyedSettlementRefs(readingNormalisedIdNumbers(ADAPTERS_AS_WRITTEN[code], comparison, writings[code] ?? 'DERIVED'), comparison)];
    }),
  ) as Record<DepartmentCode, DepartmentAdapter>;
}

/** The departments that provide one kind of fact, each with its reader. */
export function factProviders<K extends FactKind>(kind: K, adapters: Record<DepartmentCode, DepartmentAdapter> = ADAPTERS): { code: DepartmentCode; reader: NonNullable<DepartmentFactReaders[K]> }[] {
  return DEPARTMENT_CODES.flatMap((code) => {
    const reader = adapters[code].facts?.[kind];
    return reader ? [{ code, reader: reader as NonNullable<DepartmentFactReaders[K]> }] : [];
  });
}

/** The one department that provides a kind of fact the rules read from a single source. */
export function factProvider<K extends FactKind>(kind: K, adapters: Record<DepartmentCode, DepartmentAdapter> = ADAPTERS): { code: DepartmentCode; reader: NonNullable<DepartmentFactReaders[K]> } {
  const all = factProviders(kind, adapters);
  if (all.length !== 1) throw new Error(`expected exactly one department providing ${kind}, found ${all.length}`);
  return all[0];
}
