ALTER TABLE `cl_rehab_aid` ADD `aid_status` tinyint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `cl_subsidy` ADD `sub_status` tinyint DEFAULT 1 NOT NULL;