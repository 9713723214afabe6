CREATE TABLE `calendar_recount` (
	`name` varchar(32) NOT NULL,
	`calendar` char(64) NOT NULL,
	`recounted_at` datetime(3) NOT NULL,
	CONSTRAINT `calendar_recount_name` PRIMARY KEY(`name`)
);
