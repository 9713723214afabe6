ALTER TABLE `finding_event` MODIFY COLUMN `actor_department` varchar(24);--> statement-breakpoint
ALTER TABLE `finding_scan` MODIFY COLUMN `started_by_department` varchar(24);