/**
 * The import files of 住建 (housing): one CSV file per table, `<table>.csv`, declared
 * for tools/import (federation/import-declaration.ts says what a declaration holds).
 */
import { digits, codes, numericCodes, int, type TableDeclaration } from '../import-declaration';
import { gzfApplication, gzfAllocation, wfgzProject } from './tables';

export const HOUSING_IMPORT: Record<string, TableDeclaration> = {
  gzf_application: {
    target: 'HOUSING',
    drizzleTable: gzfApplication,
    doc: '公租房 public rental housing applications.',
    columns: {
      app_no: { doc: 'application number' },
      applicant_id_card: { doc: 'ID number of the applicant' },
      family_size: { doc: 'number of people in the applying family, 1–99', type: int(1, 99) },
      region_code: { doc: 'division code of the applicant (6, 9 or 12 digits)', type: digits(6, 9, 12) },
      apply_date: { doc: 'date of application' },
      app_status: {
        doc: 'state of the application',
        type: numericCodes('10 受理 accepted', '20 审核通过 approved', '30 已保障 housed', '40 退出 exited', '90 不予保障 refused'),
      },
    },
    idNumberColumns: ['applicant_id_card'],
  },
  gzf_allocation: {
    target: 'HOUSING',
    drizzleTable: gzfAllocation,
    doc: '公租房 allocations under an application: 实物配租 (a flat) or 租赁补贴 (rent subsidy).',
    columns: {
      alloc_id: { doc: "the housing system's allocation number (positive integer)" },
      app_no: { doc: 'gzf_application.app_no' },
      alloc_type: { doc: 'programme', type: codes('SW 实物配租 public rental flat', 'BT 租赁补贴 rent subsidy') },
      monthly_fen: { doc: '实物配租: rent relief per month; 租赁补贴: subsidy per month; in fen' },
      start_date: { doc: 'start of the allocation' },
      end_date: { doc: 'end of the allocation, if ended' },
      unit_address: { doc: 'address of the flat (实物配租)' },
    },
    periods: [{ start: 'start_date', end: 'end_date' }],
  },
  wfgz_project: {
    target: 'HOUSING',
    drizzleTable: wfgzProject,
    doc: '农村危房改造 rural dilapidated-house renovation projects.',
    columns: {
      project_id: { doc: 'project number' },
      owner_id_card: { doc: 'ID number of the owner' },
      village_code: { doc: 'village division code (12 digits)', type: digits(12) },
      danger_grade: { doc: '危房等级 (danger grade)', type: codes('A 安全 sound', 'B 个别构件危险 some members unsafe', 'C 局部危房 partly dangerous', 'D 整栋危房 wholly dangerous') },
      grant_fen: { doc: 'renovation grant, in fen' },
      completed_date: { doc: 'date completed, if completed' },
    },
    idNumberColumns: ['owner_id_card'],
  },
};
