CREATE TABLE `monitoring_notice_objection` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`notice_id` bigint unsigned NOT NULL,
	`received_on` date NOT NULL,
	`kind` enum('ELIGIBILITY_DOUBTED','FACTS_WRONG','MEASURE_DOUBTED','OTHER') NOT NULL,
	`recorded_by` varchar(64) NOT NULL,
	`recorded_office` varchar(24) NOT NULL,
	`idempotency_key` varchar(96) NOT NULL,
	`recorded_at` datetime(3) NOT NULL,
	CONSTRAINT `monitoring_notice_objection_id` PRIMARY KEY(`id`),
	CONSTRAINT `monitoring_notice_objection_key` UNIQUE(`idempotency_key`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `monitoring_village_notice` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`alert_id` bigint unsigned NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	`household_id` bigint unsigned NOT NULL,
	`region_code` varchar(12) NOT NULL,
	`village_name` varchar(64) NOT NULL,
	`head_name` varchar(64) NOT NULL,
	`household_size` int NOT NULL,
	`measures` varchar(400) NOT NULL,
	`objection_contact` varchar(200) NOT NULL,
	`objection_phone` varchar(16),
	`posted_on` date NOT NULL,
	`period_text` varchar(16) NOT NULL,
	`ends_on` date NOT NULL,
	`provisional` boolean NOT NULL,
	`text` text NOT NULL,
	`posted_by` varchar(64) NOT NULL,
	`posted_office` varchar(24) NOT NULL,
	`recorded_at` datetime(3) NOT NULL,
	CONSTRAINT `monitoring_village_notice_id` PRIMARY KEY(`id`),
	CONSTRAINT `monitoring_village_notice_alert` UNIQUE(`alert_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `monitoring_notice_objection_notice` ON `monitoring_notice_objection` (`notice_id`);--> statement-breakpoint
CREATE INDEX `monitoring_village_notice_case` ON `monitoring_village_notice` (`case_id`);