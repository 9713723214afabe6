ALTER TABLE `aid_case` MODIFY COLUMN `first_office` varchar(24) NOT NULL;--> statement-breakpoint
ALTER TABLE `aid_case` MODIFY COLUMN `owner_office` varchar(24) NOT NULL;--> statement-breakpoint
ALTER TABLE `case_event` MODIFY COLUMN `actor_office` varchar(24) NOT NULL;--> statement-breakpoint
ALTER TABLE `case_meeting` MODIFY COLUMN `convened_by` varchar(24) NOT NULL;--> statement-breakpoint
ALTER TABLE `referral_slip` MODIFY COLUMN `from_office` varchar(24) NOT NULL;--> statement-breakpoint
ALTER TABLE `referral_slip` MODIFY COLUMN `to_office` varchar(24) NOT NULL;