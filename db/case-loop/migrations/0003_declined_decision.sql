CREATE TABLE `declined_decision` (
	`referral_id` bigint unsigned NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	`resolution` enum('REASSIGNED','REDELIBERATED','WAIVED') NOT NULL,
	`new_referral_id` bigint unsigned,
	`meeting_id` bigint unsigned,
	`reason` varchar(500) NOT NULL,
	`actor` varchar(64) NOT NULL,
	`recorded_at` datetime(3) NOT NULL,
	CONSTRAINT `declined_decision_referral_id` PRIMARY KEY(`referral_id`)
);
