/** The offices whose front-end databases the hub federates. */
export const DEPARTMENT_CODES = ['CIVIL_AFFAIRS', 'EDUCATION', 'HOUSING', 'HEALTH', 'UNION', 'DISABILITY', 'HUMAN_RESOURCES'] as const;
export type DepartmentCode = (typeof DEPARTMENT_CODES)[number];

/**
 * Each department's stable number: stored findings keep the departments concerned as a bit mask
 * (1 << number), so a number is assigned once and never changes or is reused, whatever order the
 * list above is in. The first six are the positions they had when masks were first stored.
 */
export const DEPARTMENT_NUMBERS: Record<DepartmentCode, number> = {
  CIVIL_AFFAIRS: 0,
  EDUCATION: 1,
  HOUSING: 2,
  HEALTH: 3,
  UNION: 4,
  DISABILITY: 5,
  HUMAN_RESOURCES: 6,
};

export const DEPARTMENT_NAMES: Record<DepartmentCode, string> = {
  CIVIL_AFFAIRS: '民政局',
  EDUCATION: '教育局',
  HOUSING: '住房和城乡建设局',
  HEALTH: '医疗保障局',
  UNION: '总工会',
  DISABILITY: '残疾人联合会',
  HUMAN_RESOURCES: '人力资源和社会保障局',
};
