CREATE TABLE `household` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`registration_no` varchar(32) NOT NULL,
	`region_code` varchar(12) NOT NULL,
	`address` varchar(255) NOT NULL,
	CONSTRAINT `household_id` PRIMARY KEY(`id`),
	CONSTRAINT `household_registration_no_unique` UNIQUE(`registration_no`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `household_member` (
	`household_id` bigint unsigned NOT NULL,
	`id_number` char(18) NOT NULL,
	`relation` enum('HEAD','SPOUSE','CHILD','PARENT','GRANDCHILD','GRANDPARENT','SIBLING','OTHER') NOT NULL,
	`joined_on` date NOT NULL,
	`left_on` date,
	CONSTRAINT `household_member_household_id_id_number_joined_on_pk` PRIMARY KEY(`household_id`,`id_number`,`joined_on`)
);
--> statement-breakpoint
CREATE TABLE `person` (
	`id_number` char(18) NOT NULL,
	`name` varchar(64) NOT NULL,
	`gender` enum('M','F') NOT NULL,
	`birth_date` date NOT NULL,
	`death_date` date,
	CONSTRAINT `person_id_number` PRIMARY KEY(`id_number`)
);
--> statement-breakpoint
CREATE TABLE `programme` (
	`code` varchar(32) NOT NULL,
	`department` enum('CIVIL_AFFAIRS','EDUCATION','HOUSING','HEALTH','UNION','DISABILITY') NOT NULL,
	`name` varchar(64) NOT NULL,
	`kind` enum('RECURRING','ONE_OFF') NOT NULL,
	`purpose` enum('BASIC_LIVING','TEMPORARY','MEDICAL','EDUCATION','HOUSING','EMPLOYMENT','DISABILITY','SERVICE') NOT NULL,
	CONSTRAINT `programme_code` PRIMARY KEY(`code`)
);
--> statement-breakpoint
CREATE TABLE `region` (
	`code` varchar(12) NOT NULL,
	`name` varchar(64) NOT NULL,
	`level` enum('PROVINCE','CITY','COUNTY','TOWNSHIP','VILLAGE') NOT NULL,
	`parent_code` varchar(12),
	CONSTRAINT `region_code` PRIMARY KEY(`code`)
);
--> statement-breakpoint
CREATE INDEX `household_region` ON `household` (`region_code`,`id`);--> statement-breakpoint
CREATE INDEX `member_person` ON `household_member` (`id_number`);--> statement-breakpoint
CREATE INDEX `region_parent` ON `region` (`parent_code`);