CREATE TABLE `household_decision_lock` (
	`household_id` bigint unsigned NOT NULL,
	`decisions_issued` bigint unsigned NOT NULL DEFAULT 0,
	CONSTRAINT `household_decision_lock_household_id` PRIMARY KEY(`household_id`)
);
