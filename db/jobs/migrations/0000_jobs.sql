CREATE TABLE `job_lease` (
	`job_key` varchar(64) NOT NULL,
	`holder` varchar(128) NOT NULL,
	`token` bigint unsigned NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	`heartbeat_at` datetime(3) NOT NULL,
	`resume_after` varchar(200),
	CONSTRAINT `job_lease_job_key` PRIMARY KEY(`job_key`)
);
