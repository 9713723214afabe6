ALTER TABLE `household` ADD `province_prefix` varchar(2) GENERATED ALWAYS AS (left(`region_code`, 2)) VIRTUAL;--> statement-breakpoint
ALTER TABLE `household` ADD `city_prefix` varchar(4) GENERATED ALWAYS AS (left(`region_code`, 4)) VIRTUAL;--> statement-breakpoint
ALTER TABLE `household` ADD `county_prefix` varchar(6) GENERATED ALWAYS AS (left(`region_code`, 6)) VIRTUAL;--> statement-breakpoint
ALTER TABLE `household` ADD `township_prefix` varchar(9) GENERATED ALWAYS AS (left(`region_code`, 9)) VIRTUAL;--> statement-breakpoint
CREATE INDEX `household_province` ON `household` (`province_prefix`,`id`);--> statement-breakpoint
CREATE INDEX `household_city` ON `household` (`city_prefix`,`id`);--> statement-breakpoint
CREATE INDEX `household_county` ON `household` (`county_prefix`,`id`);--> statement-breakpoint
CREATE INDEX `household_township` ON `household` (`township_prefix`,`id`);