/**
 * Every department source the hub federates: one line per department. Everything about a
 * department lives in its folder (README, "Adding a department"); the rest of the hub reaches it
 * only through this map and the contract (federation/contract.ts).
 */
import { DEPARTMENT_CODES, isReporterCode, type DepartmentCode } from '../domain/departments';
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
 * A department's adapter as its folder writes it, or why there is none. `npx tsc --noEmit` asks for
 * every code's line above; a test run, which does not type-check, met a code added to
 * DEPARTMENT_CODES before its line (README "Adding a department", step 1 before step 7) as "Cannot
 * destructure property 'aidBySettlementRefs' of 'adapter' as it is undefined", in every suite's
 * set-up. An adapter copied from another department's folder keeps that department's `code` until
 * renamed.
 */
export function writtenAdapter(code: DepartmentCode, written: Partial<Record<DepartmentCode, DepartmentAdapter>> = ADAPTERS_AS_WRITTEN): DepartmentAdapter {
  const adapter = written[code];
  if (!adapter) {
    const reporter = isReporterCode(code) ? ` ${code} is a reporter already (REPORTER_CODES), whose aid comes through REPORTED: the steps do not move a reporter to a department of its own ("Which office").` : '';
    throw new Error(`${code} is in DEPARTMENT_CODES (domain/departments.ts) but has no adapter in ADAPTERS_AS_WRITTEN (federation/registry.ts): README "Adding a department", step 7.${reporter}`);
  }
  if (adapter.code !== code) throw new Error(`the adapter registered as ${code} (federation/registry.ts) says code: '${adapter.code}': an adapter copied from another department's folder keeps its code until renamed`);
  return adapter;
}

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
      return [code, readingKeyedSettlementRefs(readingNormalisedIdNumbers(writtenAdapter(code), comparison, writings[code] ?? 'DERIVED'), comparison)];
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
