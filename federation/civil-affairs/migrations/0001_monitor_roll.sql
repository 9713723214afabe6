CREATE TABLE `dc_monitor_roll` (
	`jc_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`id_no` char(18) NOT NULL,
	`county_code` char(6) NOT NULL,
	`jclb` char(2) NOT NULL,
	`nrrq` date NOT NULL,
	`tcrq` date,
	CONSTRAINT `dc_monitor_roll_jc_id` PRIMARY KEY(`jc_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `dc_monitor_roll_id` ON `dc_monitor_roll` (`id_no`);