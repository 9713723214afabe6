ALTER TABLE `charity_claim` ADD `counted_from` date;--> statement-breakpoint
ALTER TABLE `charity_claim` ADD `working_days` smallint;