ALTER TABLE `case_event` ADD `from_office` varchar(24);--> statement-breakpoint
ALTER TABLE `case_event` ADD `to_office` varchar(24);