CREATE TABLE `cl_certificate` (
	`cert_no` char(20) NOT NULL,
	`id_card` char(18) NOT NULL,
	`dis_type` tinyint NOT NULL,
	`dis_level` tinyint NOT NULL,
	`issue_date` date NOT NULL,
	`valid_until` date,
	`cert_status` tinyint NOT NULL DEFAULT 1,
	CONSTRAINT `cl_certificate_cert_no` PRIMARY KEY(`cert_no`)
);
--> statement-breakpoint
CREATE TABLE `cl_rehab_aid` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`cert_no` char(20) NOT NULL,
	`service_name` varchar(64) NOT NULL,
	`grant_date` date NOT NULL,
	`amount_fen` int NOT NULL,
	CONSTRAINT `cl_rehab_aid_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `cl_subsidy` (
	`sub_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`cert_no` char(20) NOT NULL,
	`sub_type` char(2) NOT NULL,
	`start_ym` char(7) NOT NULL,
	`end_ym` char(7),
	`monthly_fen` int NOT NULL,
	CONSTRAINT `cl_subsidy_sub_id` PRIMARY KEY(`sub_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `cl_certificate_id` ON `cl_certificate` (`id_card`);--> statement-breakpoint
CREATE INDEX `cl_rehab_cert` ON `cl_rehab_aid` (`cert_no`);--> statement-breakpoint
CREATE INDEX `cl_subsidy_cert` ON `cl_subsidy` (`cert_no`);