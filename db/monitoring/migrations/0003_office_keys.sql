ALTER TABLE `monitoring_alert` MODIFY COLUMN `verifier_office` varchar(24) NOT NULL;--> statement-breakpoint
ALTER TABLE `monitoring_alert_event` MODIFY COLUMN `actor_office` varchar(24) NOT NULL;