CREATE TABLE `case_first_aid` (
	`case_id` bigint unsigned NOT NULL,
	`programme_code` varchar(32) NOT NULL,
	`amount_fen` bigint NOT NULL,
	`beneficiary_id_number` char(18),
	`aid_source_ref` varchar(128),
	`reason` varchar(500) NOT NULL,
	`given_at` datetime(3) NOT NULL,
	`recorded_at` datetime(3) NOT NULL,
	`actor` varchar(64) NOT NULL,
	CONSTRAINT `case_first_aid_case_id` PRIMARY KEY(`case_id`)
);
