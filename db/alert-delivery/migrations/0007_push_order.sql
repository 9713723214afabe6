DROP INDEX `alert_delivery_subscription` ON `alert_delivery`;--> statement-breakpoint
ALTER TABLE `alert_subscription` ADD `last_sequence` bigint unsigned DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `alert_delivery_subscription` ON `alert_delivery` (`subscription_id`,`state`,`next_attempt_at`);--> statement-breakpoint
UPDATE `alert_subscription` SET `last_sequence` = COALESCE((SELECT MAX(`id`) FROM `alert_delivery` WHERE `alert_delivery`.`subscription_id` = `alert_subscription`.`id`), 0);