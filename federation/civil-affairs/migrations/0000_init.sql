CREATE TABLE `child_allowance` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`child_id_no` char(18) NOT NULL,
	`category` char(2) NOT NULL,
	`start_on` date NOT NULL,
	`end_on` date,
	`monthly_fen` int NOT NULL,
	CONSTRAINT `child_allowance_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `dibao_family` (
	`family_no` varchar(24) NOT NULL,
	`county_code` char(6) NOT NULL,
	`head_id_no` char(18) NOT NULL,
	`area_type` tinyint NOT NULL,
	`approved_on` date NOT NULL,
	`ended_on` date,
	`state_flag` tinyint NOT NULL DEFAULT 0,
	CONSTRAINT `dibao_family_family_no` PRIMARY KEY(`family_no`)
);
--> statement-breakpoint
CREATE TABLE `dibao_member` (
	`family_no` varchar(24) NOT NULL,
	`id_no` char(18) NOT NULL,
	`relation_to_head` varchar(8) NOT NULL,
	`joined_on` date NOT NULL,
	`left_on` date,
	`monthly_share_fen` int NOT NULL,
	CONSTRAINT `dibao_member_family_no_id_no_joined_on_pk` PRIMARY KEY(`family_no`,`id_no`,`joined_on`)
);
--> statement-breakpoint
CREATE TABLE `tekun_person` (
	`tk_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`id_no` char(18) NOT NULL,
	`county_code` char(6) NOT NULL,
	`care_mode` tinyint NOT NULL,
	`start_on` date NOT NULL,
	`end_on` date,
	`monthly_fen` int NOT NULL,
	`state_flag` tinyint NOT NULL DEFAULT 0,
	CONSTRAINT `tekun_person_tk_id` PRIMARY KEY(`tk_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `temp_aid_grant` (
	`grant_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`id_no` char(18) NOT NULL,
	`family_no` varchar(24),
	`cause_code` char(2) NOT NULL,
	`is_urgent` boolean NOT NULL DEFAULT false,
	`is_second_aid` boolean NOT NULL DEFAULT false,
	`grant_date` date NOT NULL,
	`amount_fen` int NOT NULL,
	`approval_level` tinyint NOT NULL,
	`revoked` boolean NOT NULL DEFAULT false,
	CONSTRAINT `temp_aid_grant_grant_id` PRIMARY KEY(`grant_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `child_allowance_id` ON `child_allowance` (`child_id_no`);--> statement-breakpoint
CREATE INDEX `dibao_family_head` ON `dibao_family` (`head_id_no`);--> statement-breakpoint
CREATE INDEX `dibao_member_id` ON `dibao_member` (`id_no`);--> statement-breakpoint
CREATE INDEX `tekun_id` ON `tekun_person` (`id_no`);--> statement-breakpoint
CREATE INDEX `temp_aid_id` ON `temp_aid_grant` (`id_no`);