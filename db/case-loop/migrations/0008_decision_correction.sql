CREATE TABLE `decision_correction` (
	`referral_id` bigint unsigned NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	`event_seq` int NOT NULL,
	`role` enum('SUPERSEDED','ISSUED') NOT NULL,
	`replaced_by` bigint unsigned,
	`reason` varchar(500) NOT NULL,
	`actor` varchar(64) NOT NULL,
	`recorded_at` datetime(3) NOT NULL,
	CONSTRAINT `decision_correction_referral_id_role_pk` PRIMARY KEY(`referral_id`,`role`)
);
--> statement-breakpoint
CREATE INDEX `decision_correction_event` ON `decision_correction` (`case_id`,`event_seq`);