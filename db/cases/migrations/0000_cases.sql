CREATE TABLE `aid_case` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`household_id` bigint unsigned NOT NULL,
	`township_code` char(9) NOT NULL,
	`origin` enum('APPLICATION','ACTIVE_DISCOVERY','ALERT','REFERRAL') NOT NULL,
	`urgency` enum('EMERGENCY','URGENT','NORMAL') NOT NULL,
	`state` enum('REPORTED','ACCEPTED','INVESTIGATING','FIRST_AID_GIVEN','IN_DELIBERATION','DECIDED','CLOSED','REJECTED') NOT NULL,
	`summary` varchar(500) NOT NULL,
	`first_office` varchar(16) NOT NULL,
	`owner_office` varchar(16) NOT NULL,
	`reported_at` datetime(3) NOT NULL,
	`explanation` text,
	`ended_at` datetime(3),
	CONSTRAINT `aid_case_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `case_event` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	`seq` int NOT NULL,
	`action` enum('OPENED','TRANSITIONED','REFERRAL_ISSUED','REFERRAL_ACCEPTED','REFERRAL_COMPLETED','REFERRAL_DECLINED','OWNER_CHANGED','MEETING_RECORDED','SECOND_AID_APPROVED') NOT NULL,
	`from_state` enum('REPORTED','ACCEPTED','INVESTIGATING','FIRST_AID_GIVEN','IN_DELIBERATION','DECIDED','CLOSED','REJECTED'),
	`to_state` enum('REPORTED','ACCEPTED','INVESTIGATING','FIRST_AID_GIVEN','IN_DELIBERATION','DECIDED','CLOSED','REJECTED'),
	`referral_id` bigint unsigned,
	`meeting_id` bigint unsigned,
	`occurred_at` datetime(3) NOT NULL,
	`recorded_at` datetime(3) NOT NULL,
	`actor` varchar(64) NOT NULL,
	`actor_office` varchar(16) NOT NULL,
	`reason` text,
	`idempotency_key` varchar(96),
	CONSTRAINT `case_event_id` PRIMARY KEY(`id`),
	CONSTRAINT `case_event_seq` UNIQUE(`case_id`,`seq`),
	CONSTRAINT `case_event_idempotency` UNIQUE(`idempotency_key`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `case_meeting` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	`held_on` date NOT NULL,
	`convened_by` varchar(16) NOT NULL,
	`notes` text,
	`dossier_json` longtext NOT NULL,
	`recorded_at` datetime(3) NOT NULL,
	`recorded_by` varchar(64) NOT NULL,
	CONSTRAINT `case_meeting_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `case_meeting_department` (
	`meeting_id` bigint unsigned NOT NULL,
	`department` enum('CIVIL_AFFAIRS','EDUCATION','HOUSING','HEALTH','UNION','DISABILITY') NOT NULL,
	CONSTRAINT `case_meeting_department_meeting_id_department_pk` PRIMARY KEY(`meeting_id`,`department`)
);
--> statement-breakpoint
CREATE TABLE `referral_slip` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	`kind` enum('DECISION','FORWARD') NOT NULL,
	`meeting_id` bigint unsigned,
	`from_office` varchar(16) NOT NULL,
	`to_office` varchar(16) NOT NULL,
	`ask` varchar(500) NOT NULL,
	`programme_code` varchar(32),
	`amount_fen` bigint,
	`beneficiary_id_number` char(18),
	`hand_over` boolean NOT NULL DEFAULT false,
	`deadline_working_days` smallint NOT NULL,
	`issued_at` datetime(3) NOT NULL,
	`due_on` date NOT NULL,
	`state` enum('ISSUED','ACCEPTED','COMPLETED','DECLINED') NOT NULL,
	`accepted_at` datetime(3),
	`answered_at` datetime(3),
	`feedback` text,
	`decline_reason` text,
	`aid_source_ref` varchar(128),
	CONSTRAINT `referral_slip_id` PRIMARY KEY(`id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `second_aid_approval` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	`referral_id` bigint unsigned NOT NULL,
	`id_number` char(18) NOT NULL,
	`cause` enum('ILLNESS','ACCIDENT','DISASTER','JOB_LOSS','EDUCATION','OTHER') NOT NULL,
	`amount_fen` bigint NOT NULL,
	`approved_on` date NOT NULL,
	`aid_source_ref` varchar(128),
	CONSTRAINT `second_aid_approval_id` PRIMARY KEY(`id`),
	CONSTRAINT `second_aid_referral` UNIQUE(`referral_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
ALTER TABLE `aid_case` ADD CONSTRAINT `aid_case_household_fk` FOREIGN KEY (`household_id`) REFERENCES `household`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `case_event` ADD CONSTRAINT `case_event_case_fk` FOREIGN KEY (`case_id`) REFERENCES `aid_case`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `case_meeting` ADD CONSTRAINT `case_meeting_case_fk` FOREIGN KEY (`case_id`) REFERENCES `aid_case`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `case_meeting_department` ADD CONSTRAINT `case_meeting_department_fk` FOREIGN KEY (`meeting_id`) REFERENCES `case_meeting`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `referral_slip` ADD CONSTRAINT `referral_slip_case_fk` FOREIGN KEY (`case_id`) REFERENCES `aid_case`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `referral_slip` ADD CONSTRAINT `referral_slip_meeting_fk` FOREIGN KEY (`meeting_id`) REFERENCES `case_meeting`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `referral_slip` ADD CONSTRAINT `referral_slip_programme_fk` FOREIGN KEY (`programme_code`) REFERENCES `programme`(`code`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `second_aid_approval` ADD CONSTRAINT `second_aid_case_fk` FOREIGN KEY (`case_id`) REFERENCES `aid_case`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `second_aid_approval` ADD CONSTRAINT `second_aid_referral_fk` FOREIGN KEY (`referral_id`) REFERENCES `referral_slip`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `aid_case_household` ON `aid_case` (`household_id`);--> statement-breakpoint
CREATE INDEX `aid_case_township_state` ON `aid_case` (`township_code`,`state`);--> statement-breakpoint
CREATE INDEX `aid_case_owner_state` ON `aid_case` (`owner_office`,`state`);--> statement-breakpoint
CREATE INDEX `case_meeting_case` ON `case_meeting` (`case_id`);--> statement-breakpoint
CREATE INDEX `referral_slip_case` ON `referral_slip` (`case_id`);--> statement-breakpoint
CREATE INDEX `referral_slip_to_state` ON `referral_slip` (`to_office`,`state`);--> statement-breakpoint
CREATE INDEX `referral_slip_state_due` ON `referral_slip` (`state`,`due_on`);--> statement-breakpoint
CREATE INDEX `second_aid_person` ON `second_aid_approval` (`id_number`);