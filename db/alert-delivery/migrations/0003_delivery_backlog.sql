DROP INDEX `alert_delivery_due` ON `alert_delivery`;--> statement-breakpoint
ALTER TABLE `alert_delivery` ADD `backlog` boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `alert_delivery_due` ON `alert_delivery` (`state`,`backlog`,`next_attempt_at`);