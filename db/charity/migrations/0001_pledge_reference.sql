ALTER TABLE `charity_pledge` ADD `reference` varchar(64);--> statement-breakpoint
ALTER TABLE `charity_pledge` ADD CONSTRAINT `charity_pledge_reference` UNIQUE(`credit_code`,`reference`);