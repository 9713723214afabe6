CREATE TABLE `charity_claim_release` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`need_id` bigint unsigned NOT NULL,
	`credit_code` char(18) NOT NULL,
	`claimed_at` datetime(3) NOT NULL,
	`reference` varchar(64) NOT NULL,
	`reason` varchar(200) NOT NULL,
	`recorded_by_client` varchar(64) NOT NULL,
	`released_at` datetime(3) NOT NULL,
	CONSTRAINT `charity_claim_release_id` PRIMARY KEY(`id`),
	CONSTRAINT `charity_claim_release_reference` UNIQUE(`credit_code`,`reference`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
ALTER TABLE `charity_claim` ADD `released_at` datetime(3);--> statement-breakpoint
CREATE INDEX `charity_claim_release_need` ON `charity_claim_release` (`need_id`);