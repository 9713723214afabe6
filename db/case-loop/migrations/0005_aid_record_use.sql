CREATE TABLE `aid_record_use` (
	`referral_id` bigint unsigned NOT NULL,
	`office` varchar(24) NOT NULL,
	`aid_source_ref` varchar(128) NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	CONSTRAINT `aid_record_use_referral_id` PRIMARY KEY(`referral_id`),
	CONSTRAINT `aid_record_use_record` UNIQUE(`office`,`aid_source_ref`)
);
--> statement-breakpoint
INSERT IGNORE INTO `aid_record_use` (`referral_id`, `office`, `aid_source_ref`, `case_id`)
SELECT `s`.`id`, `s`.`to_office`, `f`.`aid_source_ref`, `s`.`case_id`
FROM `referral_fulfilment` `f` JOIN `referral_slip` `s` ON `s`.`id` = `f`.`referral_id`
WHERE `s`.`kind` = 'DECISION' AND `s`.`state` = 'COMPLETED'
ORDER BY `s`.`answered_at`, `s`.`id`;
