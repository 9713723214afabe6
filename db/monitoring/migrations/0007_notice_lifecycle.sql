ALTER TABLE `monitoring_village_notice` DROP INDEX `monitoring_village_notice_alert`;--> statement-breakpoint
ALTER TABLE `monitoring_notice_objection` ADD `resolution` enum('UPHELD','DISMISSED');--> statement-breakpoint
ALTER TABLE `monitoring_notice_objection` ADD `resolution_reason` text;--> statement-breakpoint
ALTER TABLE `monitoring_notice_objection` ADD `resolved_by` varchar(64);--> statement-breakpoint
ALTER TABLE `monitoring_notice_objection` ADD `resolved_office` varchar(24);--> statement-breakpoint
ALTER TABLE `monitoring_notice_objection` ADD `resolved_at` datetime(3);--> statement-breakpoint
ALTER TABLE `monitoring_village_notice` ADD `live_alert_id` bigint unsigned;--> statement-breakpoint
ALTER TABLE `monitoring_village_notice` ADD `correction` boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `monitoring_village_notice` ADD `withdrawn_at` datetime(3);--> statement-breakpoint
ALTER TABLE `monitoring_village_notice` ADD `withdrawn_by` varchar(64);--> statement-breakpoint
ALTER TABLE `monitoring_village_notice` ADD `withdrawn_office` varchar(24);--> statement-breakpoint
ALTER TABLE `monitoring_village_notice` ADD `withdraw_reason` text;--> statement-breakpoint
-- Every notice posted before withdrawal existed is live.
UPDATE `monitoring_village_notice` SET `live_alert_id` = `alert_id`;--> statement-breakpoint
ALTER TABLE `monitoring_village_notice` ADD CONSTRAINT `monitoring_village_notice_live` UNIQUE(`live_alert_id`);--> statement-breakpoint
CREATE INDEX `monitoring_village_notice_alert_id` ON `monitoring_village_notice` (`alert_id`,`id`);