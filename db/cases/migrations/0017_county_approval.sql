CREATE TABLE `case_county_approval` (
	`case_id` bigint unsigned NOT NULL,
	`programme_code` varchar(32) NOT NULL,
	`from_office` varchar(24) NOT NULL,
	`to_office` varchar(24) NOT NULL,
	`review` text NOT NULL,
	`forwarded_at` datetime(3) NOT NULL,
	`recorded_at` datetime(3) NOT NULL,
	`actor` varchar(64) NOT NULL,
	CONSTRAINT `case_county_approval_case_id` PRIMARY KEY(`case_id`)
);
--> statement-breakpoint
ALTER TABLE `case_event` MODIFY COLUMN `action` enum('OPENED','TRANSITIONED','REFERRAL_ISSUED','REFERRAL_ACCEPTED','REFERRAL_COMPLETED','REFERRAL_DECLINED','OWNER_CHANGED','MEETING_RECORDED','SECOND_AID_APPROVED','MATERIALS_COMPLETED','DECISION_WAIVED','DECISION_CORRECTED','REFERRAL_SUPERSEDED','APPROVAL_FORWARDED') NOT NULL;--> statement-breakpoint
ALTER TABLE `case_county_approval` ADD CONSTRAINT `case_county_approval_case_fk` FOREIGN KEY (`case_id`) REFERENCES `aid_case`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `case_county_approval` ADD CONSTRAINT `case_county_approval_programme_fk` FOREIGN KEY (`programme_code`) REFERENCES `programme`(`code`) ON DELETE no action ON UPDATE no action;