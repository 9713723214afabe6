CREATE TABLE `decision_check` (
	`referral_id` bigint unsigned NOT NULL,
	`meeting_id` bigint unsigned NOT NULL,
	`findings_json` text NOT NULL,
	`unavailable_json` varchar(255) NOT NULL,
	`override_reason` varchar(500),
	CONSTRAINT `decision_check_referral_id` PRIMARY KEY(`referral_id`)
);
