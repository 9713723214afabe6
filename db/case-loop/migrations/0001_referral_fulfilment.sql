CREATE TABLE `referral_fulfilment` (
	`referral_id` bigint unsigned NOT NULL,
	`aid_source_ref` varchar(128) NOT NULL,
	`programme_code` varchar(32) NOT NULL,
	`beneficiary_id_number` char(18) NOT NULL,
	`aid_date` date NOT NULL,
	`amount_fen` bigint NOT NULL,
	`decided_amount_fen` bigint NOT NULL,
	`shortfall_fen` bigint NOT NULL,
	`difference_reason` varchar(500),
	CONSTRAINT `referral_fulfilment_referral_id` PRIMARY KEY(`referral_id`)
);
