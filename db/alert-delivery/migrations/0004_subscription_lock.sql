CREATE TABLE `alert_subscription_lock` (
	`name` varchar(32) NOT NULL,
	CONSTRAINT `alert_subscription_lock_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
INSERT INTO `alert_subscription_lock` (`name`) VALUES ('SUBSCRIBERS');