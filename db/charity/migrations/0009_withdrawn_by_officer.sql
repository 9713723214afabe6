ALTER TABLE `charity_consent` ADD `revoked_by_officer` varchar(64);--> statement-breakpoint
ALTER TABLE `charity_need` ADD `withdrawn_by_client` varchar(64);--> statement-breakpoint
ALTER TABLE `charity_need` ADD `withdrawn_by_officer` varchar(64);