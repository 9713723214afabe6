CREATE TABLE `charity_pledge_reduction` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`pledge_id` bigint unsigned NOT NULL,
	`need_id` bigint unsigned NOT NULL,
	`credit_code` char(18) NOT NULL,
	`reference` varchar(64) NOT NULL,
	`amount_before_fen` bigint NOT NULL,
	`amount_after_fen` bigint NOT NULL,
	`reason` varchar(200) NOT NULL,
	`recorded_by_client` varchar(64) NOT NULL,
	`recorded_at` datetime(3) NOT NULL,
	CONSTRAINT `charity_pledge_reduction_id` PRIMARY KEY(`id`),
	CONSTRAINT `charity_pledge_reduction_reference` UNIQUE(`credit_code`,`reference`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
ALTER TABLE `charity_delivery` ADD `entry_kind` varchar(12) DEFAULT 'DELIVERY' NOT NULL;--> statement-breakpoint
ALTER TABLE `charity_delivery` ADD `supersedes_id` bigint unsigned;--> statement-breakpoint
ALTER TABLE `charity_delivery` ADD `superseded_by` bigint unsigned;--> statement-breakpoint
ALTER TABLE `charity_delivery` ADD `reason` varchar(200);--> statement-breakpoint
ALTER TABLE `charity_delivery` ADD `recorded_by_client` varchar(64);--> statement-breakpoint
CREATE INDEX `charity_pledge_reduction_pledge` ON `charity_pledge_reduction` (`pledge_id`);