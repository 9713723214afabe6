CREATE TABLE `charity_organisation_name` (
	`credit_code` char(18) NOT NULL,
	`name` varchar(64) NOT NULL,
	CONSTRAINT `charity_organisation_name_credit_code` PRIMARY KEY(`credit_code`)
);
--> statement-breakpoint
-- One name per credit code from the clients bound so far. Where two clients registered one code
-- under two names (which registration now refuses, ORGANISATION_NAME_CONFLICT), the lowest name in
-- the column's order stands for both: the look-up by code picked either before; it now picks one
-- the same way every time, and the operator's tool (npm run clients) renames it if it is wrong.
INSERT INTO `charity_organisation_name` (`credit_code`, `name`) SELECT `credit_code`, MIN(`name`) FROM `charity_organisation` GROUP BY `credit_code`;
