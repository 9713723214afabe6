CREATE TABLE `alert_delivery` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`delivery_id` char(36) NOT NULL,
	`subscription_id` bigint unsigned NOT NULL,
	`alert_id` varchar(64) NOT NULL,
	`event` enum('ALERT_OPENED','ALERT_RAISED') NOT NULL,
	`payload` text NOT NULL,
	`state` enum('PENDING','DELIVERED','DEAD') NOT NULL,
	`attempts` smallint unsigned NOT NULL,
	`next_attempt_at` datetime(3) NOT NULL,
	`claim_token` varchar(160),
	`claim_until` datetime(3),
	`last_status` int,
	`last_error` varchar(300),
	`created_at` datetime(3) NOT NULL,
	`delivered_at` datetime(3),
	`dead_at` datetime(3),
	CONSTRAINT `alert_delivery_id` PRIMARY KEY(`id`),
	CONSTRAINT `alert_delivery_delivery_id` UNIQUE(`delivery_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `alert_delivery_notice` (
	`client_id` varchar(64) NOT NULL,
	`day` date NOT NULL,
	`subscription_id` bigint unsigned NOT NULL,
	`delivery_id` char(36) NOT NULL,
	`message` varchar(500) NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `alert_delivery_notice_client_id_day_pk` PRIMARY KEY(`client_id`,`day`)
);
--> statement-breakpoint
CREATE TABLE `alert_subscription` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`client_id` varchar(64) NOT NULL,
	`callback_url` varchar(500) NOT NULL,
	`region_codes` varchar(1000) NOT NULL,
	`grades` varchar(40) NOT NULL,
	`trigger_ids` varchar(1000) NOT NULL,
	`secret` char(64) NOT NULL,
	`state` enum('ACTIVE','REVOKED') NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`created_by` varchar(128) NOT NULL,
	`revoked_at` datetime(3),
	CONSTRAINT `alert_subscription_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `alert_delivery_due` ON `alert_delivery` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `alert_delivery_claim` ON `alert_delivery` (`claim_token`);--> statement-breakpoint
CREATE INDEX `alert_delivery_subscription` ON `alert_delivery` (`subscription_id`,`state`);--> statement-breakpoint
CREATE INDEX `alert_delivery_alert` ON `alert_delivery` (`alert_id`);--> statement-breakpoint
CREATE INDEX `alert_subscription_state` ON `alert_subscription` (`state`);