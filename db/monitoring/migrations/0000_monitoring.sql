CREATE TABLE `monitoring_alert` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`identity` char(40) NOT NULL,
	`trigger_id` varchar(32) NOT NULL,
	`grade` enum('RED','ORANGE','YELLOW') NOT NULL,
	`state` enum('NEW','DELIVERED','ACKNOWLEDGED','VERIFIED','DISMISSED') NOT NULL,
	`subject_id_number` char(18) NOT NULL,
	`household_id` bigint unsigned,
	`region_code` varchar(12) NOT NULL,
	`township_code` char(9) NOT NULL,
	`verifier_office` varchar(16) NOT NULL,
	`monitored` boolean NOT NULL,
	`evidence` text NOT NULL,
	`evidence_refs` text NOT NULL,
	`measure` bigint NOT NULL,
	`detected_by` enum('POLL','MONTHLY') NOT NULL,
	`raised_at` datetime(3) NOT NULL,
	`first_clue_on` date NOT NULL,
	`acknowledge_by` date NOT NULL,
	`verify_by` date NOT NULL,
	`provisional` boolean NOT NULL,
	`outcome` enum('NEEDS_AID','NO_NEED'),
	`reason` text,
	`case_id` bigint unsigned,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `monitoring_alert_id` PRIMARY KEY(`id`),
	CONSTRAINT `monitoring_alert_identity` UNIQUE(`identity`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `monitoring_alert_event` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`alert_id` bigint unsigned NOT NULL,
	`seq` int NOT NULL,
	`action` enum('OPENED','RAISED','DELIVERED','ACKNOWLEDGED','VERIFIED','DISMISSED') NOT NULL,
	`from_state` enum('NEW','DELIVERED','ACKNOWLEDGED','VERIFIED','DISMISSED'),
	`to_state` enum('NEW','DELIVERED','ACKNOWLEDGED','VERIFIED','DISMISSED') NOT NULL,
	`grade` enum('RED','ORANGE','YELLOW') NOT NULL,
	`at` datetime(3) NOT NULL,
	`actor` varchar(64) NOT NULL,
	`actor_office` varchar(16) NOT NULL,
	`reason` text,
	CONSTRAINT `monitoring_alert_event_id` PRIMARY KEY(`id`),
	CONSTRAINT `monitoring_alert_event_seq` UNIQUE(`alert_id`,`seq`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `monitoring_watermark` (
	`source_table` varchar(96) NOT NULL,
	`last_sequence` bigint unsigned NOT NULL,
	`rows_seen` bigint unsigned NOT NULL,
	`polled_at` datetime(3) NOT NULL,
	CONSTRAINT `monitoring_watermark_source_table` PRIMARY KEY(`source_table`)
);
--> statement-breakpoint
CREATE INDEX `monitoring_alert_region` ON `monitoring_alert` (`region_code`,`id`);--> statement-breakpoint
CREATE INDEX `monitoring_alert_state_verify` ON `monitoring_alert` (`state`,`verify_by`);--> statement-breakpoint
CREATE INDEX `monitoring_alert_subject` ON `monitoring_alert` (`subject_id_number`);--> statement-breakpoint
CREATE INDEX `monitoring_alert_case` ON `monitoring_alert` (`case_id`);