ALTER TABLE `charity_project` ADD `budget_fen` bigint;--> statement-breakpoint
ALTER TABLE `charity_project` ADD `reference` varchar(64);--> statement-breakpoint
ALTER TABLE `charity_project` ADD CONSTRAINT `charity_project_reference` UNIQUE(`credit_code`,`reference`);