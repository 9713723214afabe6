CREATE TABLE `gzf_allocation` (
	`alloc_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`app_no` varchar(24) NOT NULL,
	`alloc_type` char(2) NOT NULL,
	`monthly_fen` int NOT NULL,
	`start_date` date NOT NULL,
	`end_date` date,
	`unit_address` varchar(128),
	CONSTRAINT `gzf_allocation_alloc_id` PRIMARY KEY(`alloc_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `gzf_application` (
	`app_no` varchar(24) NOT NULL,
	`applicant_id_card` char(18) NOT NULL,
	`family_size` tinyint NOT NULL,
	`region_code` varchar(12) NOT NULL,
	`apply_date` date NOT NULL,
	`app_status` tinyint NOT NULL,
	CONSTRAINT `gzf_application_app_no` PRIMARY KEY(`app_no`)
);
--> statement-breakpoint
CREATE TABLE `wfgz_project` (
	`project_id` varchar(24) NOT NULL,
	`owner_id_card` char(18) NOT NULL,
	`village_code` char(12) NOT NULL,
	`danger_grade` char(1) NOT NULL,
	`grant_fen` int NOT NULL,
	`completed_date` date,
	CONSTRAINT `wfgz_project_project_id` PRIMARY KEY(`project_id`)
);
--> statement-breakpoint
CREATE INDEX `gzf_allocation_app` ON `gzf_allocation` (`app_no`);--> statement-breakpoint
CREATE INDEX `gzf_application_applicant` ON `gzf_application` (`applicant_id_card`);--> statement-breakpoint
CREATE INDEX `wfgz_owner` ON `wfgz_project` (`owner_id_card`);