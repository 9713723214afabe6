CREATE TABLE `case_deadline_kept` (
	`case_id` bigint unsigned NOT NULL,
	`kind` enum('FIRST_AID','MATERIALS','INVESTIGATION_OPINION','APPROVAL') NOT NULL,
	`due_on` date NOT NULL,
	`kept_at` datetime(3) NOT NULL,
	CONSTRAINT `case_deadline_kept_case_id_kind_pk` PRIMARY KEY(`case_id`,`kind`)
);
--> statement-breakpoint
ALTER TABLE `case_deadline_kept` ADD CONSTRAINT `case_deadline_kept_case_fk` FOREIGN KEY (`case_id`) REFERENCES `aid_case`(`id`) ON DELETE no action ON UPDATE no action;