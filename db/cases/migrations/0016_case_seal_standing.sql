ALTER TABLE `case_seal_head` ADD `standing_table` varchar(40);--> statement-breakpoint
ALTER TABLE `case_seal_head` ADD `standing_after` bigint unsigned;--> statement-breakpoint
CREATE INDEX `case_seal_row` ON `case_seal` (`table_name`,`row_key`,`seq`);