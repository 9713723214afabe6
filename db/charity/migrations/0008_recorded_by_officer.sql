ALTER TABLE `charity_claim_release` ADD `recorded_by_officer` varchar(64);--> statement-breakpoint
ALTER TABLE `charity_delivery` ADD `recorded_by_officer` varchar(64);--> statement-breakpoint
ALTER TABLE `charity_need` ADD `published_by_officer` varchar(64);--> statement-breakpoint
ALTER TABLE `charity_pledge` ADD `pledged_by_client` varchar(64);--> statement-breakpoint
ALTER TABLE `charity_pledge` ADD `pledged_by_officer` varchar(64);--> statement-breakpoint
ALTER TABLE `charity_pledge_reduction` ADD `recorded_by_officer` varchar(64);