ALTER TABLE `charity_consent` ADD `record_key` varchar(64);--> statement-breakpoint
ALTER TABLE `charity_consent` ADD CONSTRAINT `charity_consent_record_key` UNIQUE(`recorded_by_client`,`record_key`);