CREATE TABLE `referral_reminder` (
	`referral_id` bigint unsigned NOT NULL,
	`kind` enum('DUE_SOON','OVERDUE') NOT NULL,
	`due_on` date NOT NULL,
	`subscriptions` smallint unsigned NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `referral_reminder_referral_id_kind_pk` PRIMARY KEY(`referral_id`,`kind`)
);
