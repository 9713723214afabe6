-- Re-runnable (IF NOT EXISTS, IGNORE): MySQL commits a CREATE TABLE at once, so a start stopped before
-- the journal recorded this migration, or a second hub process starting at the same moment, runs it
-- again over what it left.
CREATE TABLE IF NOT EXISTS `data_upgrade` (
	`name` varchar(64) NOT NULL,
	`resume_after` bigint unsigned NOT NULL DEFAULT 0,
	`rows_changed` bigint unsigned NOT NULL DEFAULT 0,
	`finished_at` datetime(3),
	CONSTRAINT `data_upgrade_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
-- The prose an earlier release stored with ID numbers in clear, masked once by the first hub to
-- start after this (db/setup/upgrades.ts PROSE_TABLES): one row per table, unfinished.
INSERT IGNORE INTO `data_upgrade` (`name`) VALUES ('prose-masked:aid_case'), ('prose-masked:case_event'), ('prose-masked:case_meeting'), ('prose-masked:referral_slip'), ('prose-masked:referral_fulfilment'), ('prose-masked:decision_check'), ('prose-masked:declined_decision'), ('prose-masked:case_first_aid'), ('prose-masked:finding_event'), ('prose-masked:monitoring_alert'), ('prose-masked:monitoring_alert_event'), ('prose-masked:monitoring_village_notice'), ('prose-masked:monitoring_notice_objection'), ('prose-masked:charity_delivery'), ('prose-masked:charity_pledge_reduction');
