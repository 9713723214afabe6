-- Departments concerned are stored as 1 << each department's stable number (domain/departments.ts),
-- no longer as its position in a list. The first six numbers are the positions they had, so stored
-- masks keep their meaning unchanged; the column widens so that numbers beyond 7 fit.
ALTER TABLE `finding` MODIFY COLUMN `department_mask` int unsigned NOT NULL;--> statement-breakpoint
ALTER TABLE `finding_occurrence` MODIFY COLUMN `department_mask` int unsigned NOT NULL;