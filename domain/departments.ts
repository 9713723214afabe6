/** The six offices whose front-end databases the hub federates. */
export const DEPARTMENT_CODES = ['CIVIL_AFFAIRS', 'EDUCATION', 'HOUSING', 'HEALTH', 'UNION', 'DISABILITY'] as const;
export type DepartmentCode = (typeof DEPARTMENT_CODES)[number];

export const DEPARTMENT_NAMES: Record<DepartmentCode, string> = {
  CIVIL_AFFAIRS: '民政局',
  EDUCATION: '教育局',
  HOUSING: '住房和城乡建设局',
  HEALTH: '医疗保障局',
  UNION: '总工会',
  DISABILITY: '残疾人联合会',
};
