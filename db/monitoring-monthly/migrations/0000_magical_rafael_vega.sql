CREATE TABLE `monitoring_monthly_run` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`region_code` varchar(12) NOT NULL,
	`month` char(7) NOT NULL,
	`state` enum('RUNNING','SUCCEEDED','FAILED') NOT NULL,
	`households_total` int NOT NULL,
	`households_done` int NOT NULL,
	`alerts_changed` int NOT NULL,
	`started_by` varchar(64) NOT NULL,
	`started_at` datetime(3) NOT NULL,
	`heartbeat_at` datetime(3) NOT NULL,
	`finished_at` datetime(3),
	`failure` varchar(64),
	CONSTRAINT `monitoring_monthly_run_id` PRIMARY KEY(`id`),
	CONSTRAINT `monitoring_monthly_run_region_month` UNIQUE(`region_code`,`month`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
