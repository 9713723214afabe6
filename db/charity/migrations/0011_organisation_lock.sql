CREATE TABLE `charity_organisation_lock` (
	`credit_code` char(18) NOT NULL,
	CONSTRAINT `charity_organisation_lock_credit_code` PRIMARY KEY(`credit_code`)
);
