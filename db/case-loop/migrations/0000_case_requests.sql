CREATE TABLE `case_request` (
	`idempotency_key` varchar(96) NOT NULL,
	`request_hash` char(64) NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	CONSTRAINT `case_request_idempotency_key` PRIMARY KEY(`idempotency_key`)
);
