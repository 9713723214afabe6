CREATE TABLE `access_log` (
	`seq` bigint unsigned NOT NULL,
	`at` datetime(3) NOT NULL,
	`request_id` char(36) NOT NULL,
	`client_id` bigint unsigned NOT NULL,
	`client_name` varchar(64) NOT NULL,
	`department` varchar(16) NOT NULL,
	`region_scope` varchar(12) NOT NULL,
	`purpose` varchar(24),
	`case_reference` varchar(64),
	`channel` varchar(8) NOT NULL,
	`operation` varchar(128),
	`operation_hash` char(64),
	`subject_kind` varchar(12) NOT NULL,
	`subject_ref` varchar(64),
	`subject_label` varchar(32),
	`outcome` varchar(12) NOT NULL,
	`prev_hash` char(64) NOT NULL,
	`row_hash` char(64) NOT NULL,
	CONSTRAINT `access_log_seq` PRIMARY KEY(`seq`)
);
--> statement-breakpoint
CREATE TABLE `access_log_head` (
	`id` tinyint unsigned NOT NULL,
	`last_seq` bigint unsigned NOT NULL,
	`last_hash` char(64) NOT NULL,
	CONSTRAINT `access_log_head_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `access_secret` (
	`name` varchar(32) NOT NULL,
	`value` varchar(128) NOT NULL,
	CONSTRAINT `access_secret_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `api_client` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`name` varchar(64) NOT NULL,
	`department` enum('CIVIL_AFFAIRS','EDUCATION','HOUSING','HEALTH','UNION','DISABILITY') NOT NULL,
	`region_scope` varchar(12) NOT NULL,
	`roles` varchar(255) NOT NULL,
	`token_hash` char(64) NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`expires_at` datetime(3),
	`revoked_at` datetime(3),
	`rotated_at` datetime(3),
	CONSTRAINT `api_client_id` PRIMARY KEY(`id`),
	CONSTRAINT `api_client_name_unique` UNIQUE(`name`),
	CONSTRAINT `api_client_token_hash_unique` UNIQUE(`token_hash`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `access_log_subject` ON `access_log` (`subject_kind`,`subject_ref`,`seq`);--> statement-breakpoint
CREATE INDEX `access_log_client` ON `access_log` (`client_id`,`seq`);