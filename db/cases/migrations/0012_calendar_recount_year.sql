CREATE TABLE `calendar_recount_year` (
	`name` varchar(32) NOT NULL,
	`year` smallint NOT NULL,
	`calendar` char(64) NOT NULL,
	`recount` char(64) NOT NULL,
	CONSTRAINT `calendar_recount_year_name_year_pk` PRIMARY KEY(`name`,`year`)
);
