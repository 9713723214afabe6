CREATE TABLE `finding` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`fingerprint` char(32) NOT NULL,
	`rule_id` varchar(32) NOT NULL,
	`kind` varchar(32) NOT NULL,
	`severity` enum('CONFLICT','WARNING','MISSED_AID') NOT NULL,
	`scope` enum('PERSON','HOUSEHOLD','SETTLEMENT') NOT NULL,
	`status` enum('OPEN','CONFIRMED','DISMISSED','RESOLVED') NOT NULL,
	`household_id` bigint unsigned,
	`region_code` varchar(12),
	`township_code` char(9),
	`department_mask` tinyint unsigned NOT NULL,
	`ongoing` boolean NOT NULL,
	`content_hash` char(32) NOT NULL,
	`settled_content_hash` char(32),
	`first_scan_id` bigint unsigned NOT NULL,
	`last_scan_id` bigint unsigned NOT NULL,
	`first_seen_at` datetime(3) NOT NULL,
	`last_seen_at` datetime(3) NOT NULL,
	`detail` longtext NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `finding_id` PRIMARY KEY(`id`),
	CONSTRAINT `finding_fingerprint` UNIQUE(`fingerprint`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `finding_event` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`finding_id` bigint unsigned NOT NULL,
	`action` enum('CONFIRMED','DISMISSED','RESOLVED','REOPENED') NOT NULL,
	`from_status` enum('OPEN','CONFIRMED','DISMISSED','RESOLVED') NOT NULL,
	`to_status` enum('OPEN','CONFIRMED','DISMISSED','RESOLVED') NOT NULL,
	`actor` varchar(64) NOT NULL,
	`actor_department` varchar(16),
	`officer` varchar(64),
	`reason` text,
	`scan_id` bigint unsigned,
	`content_hash` char(32) NOT NULL,
	`at` datetime(3) NOT NULL,
	CONSTRAINT `finding_event_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `finding_occurrence` (
	`scan_id` bigint unsigned NOT NULL,
	`finding_id` bigint unsigned NOT NULL,
	`rule_id` varchar(32) NOT NULL,
	`severity` enum('CONFLICT','WARNING','MISSED_AID') NOT NULL,
	`township_code` char(9),
	`department_mask` tinyint unsigned NOT NULL,
	CONSTRAINT `finding_occurrence_scan_id_finding_id_pk` PRIMARY KEY(`scan_id`,`finding_id`)
);
--> statement-breakpoint
CREATE TABLE `finding_scan` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`region_code` varchar(12) NOT NULL,
	`state` enum('RUNNING','SUCCEEDED','FAILED') NOT NULL,
	`as_of` date NOT NULL,
	`rule_set_name` varchar(200) NOT NULL,
	`rule_set_digest` char(16) NOT NULL,
	`started_by` varchar(64) NOT NULL,
	`started_by_department` varchar(16),
	`households_total` int NOT NULL DEFAULT 0,
	`households_done` int NOT NULL DEFAULT 0,
	`findings_count` int NOT NULL DEFAULT 0,
	`new_count` int NOT NULL DEFAULT 0,
	`reopened_count` int NOT NULL DEFAULT 0,
	`still_settled_count` int NOT NULL DEFAULT 0,
	`failure` varchar(200),
	`started_at` datetime(3) NOT NULL,
	`heartbeat_at` datetime(3) NOT NULL,
	`finished_at` datetime(3),
	CONSTRAINT `finding_scan_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `finding_household` ON `finding` (`household_id`);--> statement-breakpoint
CREATE INDEX `finding_region` ON `finding` (`region_code`,`id`);--> statement-breakpoint
CREATE INDEX `finding_rule` ON `finding` (`rule_id`,`status`);--> statement-breakpoint
CREATE INDEX `finding_event_finding` ON `finding_event` (`finding_id`,`id`);--> statement-breakpoint
CREATE INDEX `finding_occurrence_rule` ON `finding_occurrence` (`scan_id`,`rule_id`,`finding_id`);--> statement-breakpoint
CREATE INDEX `finding_occurrence_township` ON `finding_occurrence` (`scan_id`,`township_code`,`finding_id`);--> statement-breakpoint
CREATE INDEX `finding_scan_region` ON `finding_scan` (`region_code`,`id`);--> statement-breakpoint
CREATE INDEX `finding_scan_state` ON `finding_scan` (`state`);