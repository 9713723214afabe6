CREATE TABLE `case_seal` (
	`seq` bigint unsigned NOT NULL,
	`table_name` varchar(40) NOT NULL,
	`row_key` varchar(80) NOT NULL,
	`row_digest` char(64),
	`prev_hash` char(64) NOT NULL,
	`seal_hash` char(64) NOT NULL,
	`sealed_at` datetime(3) NOT NULL,
	CONSTRAINT `case_seal_seq` PRIMARY KEY(`seq`)
);
--> statement-breakpoint
CREATE TABLE `case_seal_head` (
	`id` int NOT NULL,
	`last_seq` bigint unsigned NOT NULL,
	`last_hash` char(64) NOT NULL,
	CONSTRAINT `case_seal_head_id` PRIMARY KEY(`id`)
);
