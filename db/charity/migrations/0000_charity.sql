CREATE TABLE `charity_claim` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`need_id` bigint unsigned NOT NULL,
	`credit_code` char(18) NOT NULL,
	`claimed_at` datetime(3) NOT NULL,
	`lapses_on` date NOT NULL,
	CONSTRAINT `charity_claim_id` PRIMARY KEY(`id`),
	CONSTRAINT `charity_claim_need_org` UNIQUE(`need_id`,`credit_code`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `charity_consent` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`household_id` bigint unsigned NOT NULL,
	`scopes` varchar(64) NOT NULL,
	`given_by` varchar(32) NOT NULL,
	`recorded_by_client` varchar(64) NOT NULL,
	`recorded_by_officer` varchar(64) NOT NULL,
	`recorded_at` datetime(3) NOT NULL,
	`expires_on` date NOT NULL,
	`revoked_at` datetime(3),
	`revoked_by_client` varchar(64),
	CONSTRAINT `charity_consent_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `charity_delivery` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`pledge_id` bigint unsigned NOT NULL,
	`need_id` bigint unsigned NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	`household_id` bigint unsigned NOT NULL,
	`beneficiary_id_number` char(18) NOT NULL,
	`credit_code` char(18) NOT NULL,
	`amount_fen` bigint NOT NULL,
	`delivered_on` date NOT NULL,
	`reference` varchar(64) NOT NULL,
	`settlement_reference` varchar(64),
	`reported_at` datetime(3) NOT NULL,
	CONSTRAINT `charity_delivery_id` PRIMARY KEY(`id`),
	CONSTRAINT `charity_delivery_reference` UNIQUE(`credit_code`,`reference`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `charity_need` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	`household_id` bigint unsigned NOT NULL,
	`consent_id` bigint unsigned NOT NULL,
	`county_code` char(6) NOT NULL,
	`purpose` enum('MEDICAL','EDUCATION','HOUSING','LIVING','DISASTER','REHABILITATION','OTHER') NOT NULL,
	`urgency` enum('EMERGENCY','URGENT','NORMAL') NOT NULL,
	`uncovered_fen` bigint NOT NULL,
	`pledged_fen` bigint NOT NULL,
	`delivered_fen` bigint NOT NULL,
	`description` varchar(200) NOT NULL,
	`involves_health` boolean NOT NULL,
	`involves_minor` boolean NOT NULL,
	`beneficiary_id_number` char(18),
	`state` enum('OPEN','COVERED','WITHDRAWN') NOT NULL,
	`close_reason` varchar(24),
	`published_by_client` varchar(64) NOT NULL,
	`published_at` datetime(3) NOT NULL,
	`closed_at` datetime(3),
	CONSTRAINT `charity_need_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `charity_pledge` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`need_id` bigint unsigned NOT NULL,
	`credit_code` char(18) NOT NULL,
	`project_id` bigint unsigned,
	`amount_fen` bigint NOT NULL,
	`delivered_fen` bigint NOT NULL,
	`pledged_at` datetime(3) NOT NULL,
	CONSTRAINT `charity_pledge_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `charity_project` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`credit_code` char(18) NOT NULL,
	`title` varchar(100) NOT NULL,
	`purpose` enum('MEDICAL','EDUCATION','HOUSING','LIVING','DISASTER','REHABILITATION','OTHER') NOT NULL,
	`region_code` varchar(12) NOT NULL,
	`budget_left_fen` bigint NOT NULL,
	CONSTRAINT `charity_project_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `charity_consent_household` ON `charity_consent` (`household_id`);--> statement-breakpoint
CREATE INDEX `charity_delivery_household` ON `charity_delivery` (`household_id`);--> statement-breakpoint
CREATE INDEX `charity_delivery_need` ON `charity_delivery` (`need_id`);--> statement-breakpoint
CREATE INDEX `charity_need_county_state` ON `charity_need` (`county_code`,`state`);--> statement-breakpoint
CREATE INDEX `charity_need_household` ON `charity_need` (`household_id`);--> statement-breakpoint
CREATE INDEX `charity_need_consent` ON `charity_need` (`consent_id`);--> statement-breakpoint
CREATE INDEX `charity_pledge_need` ON `charity_pledge` (`need_id`);--> statement-breakpoint
CREATE INDEX `charity_project_purpose` ON `charity_project` (`purpose`,`region_code`);