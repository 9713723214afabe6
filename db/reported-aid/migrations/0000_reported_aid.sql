CREATE TABLE `charity_organisation` (
	`client_name` varchar(64) NOT NULL,
	`credit_code` char(18) NOT NULL,
	`name` varchar(64) NOT NULL,
	CONSTRAINT `charity_organisation_client_name` PRIMARY KEY(`client_name`)
);
--> statement-breakpoint
CREATE TABLE `reported_aid` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`reporter_client` varchar(64) NOT NULL,
	`reporter_office` varchar(24) NOT NULL,
	`reporter_credit_code` char(18),
	`reference` varchar(64) NOT NULL,
	`entry_kind` varchar(12) NOT NULL,
	`supersedes_reference` varchar(64),
	`beneficiary_id_number` char(18) NOT NULL,
	`programme` varchar(32) NOT NULL,
	`grant_date` date,
	`period_start` date,
	`period_end` date,
	`amount_fen` int unsigned NOT NULL,
	`settlement_ref` varchar(64),
	`case_reference` varchar(64),
	`need_id` varchar(64),
	`content_hash` char(64) NOT NULL,
	`received_at` datetime(3) NOT NULL,
	`superseded_by` bigint unsigned,
	CONSTRAINT `reported_aid_id` PRIMARY KEY(`id`),
	CONSTRAINT `reported_aid_reference` UNIQUE(`reporter_client`,`reference`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `reported_aid_beneficiary` ON `reported_aid` (`beneficiary_id_number`,`superseded_by`);--> statement-breakpoint
CREATE INDEX `reported_aid_received` ON `reported_aid` (`reporter_client`,`received_at`);--> statement-breakpoint
CREATE INDEX `reported_aid_settlement` ON `reported_aid` (`settlement_ref`);--> statement-breakpoint
-- Office codes of reporters are up to 20 characters (EMERGENCY_MANAGEMENT); the columns that name a caller's department were 16.
ALTER TABLE `access_log` MODIFY COLUMN `department` varchar(24) NOT NULL;--> statement-breakpoint
ALTER TABLE `finding_scan` MODIFY COLUMN `started_by_department` varchar(24);--> statement-breakpoint
ALTER TABLE `finding_event` MODIFY COLUMN `actor_department` varchar(24);
