CREATE TABLE `mi_aid_pay` (
	`pay_id` varchar(30) NOT NULL,
	`psn_cert_no` char(18) NOT NULL,
	`setl_id` varchar(30),
	`aid_type` varchar(6) NOT NULL,
	`pay_date` date NOT NULL,
	`pay_amt` decimal(12,2) NOT NULL,
	CONSTRAINT `mi_aid_pay_pay_id` PRIMARY KEY(`pay_id`)
);
--> statement-breakpoint
CREATE TABLE `mi_setl` (
	`setl_id` varchar(30) NOT NULL,
	`psn_cert_no` char(18) NOT NULL,
	`fixmedins_name` varchar(64) NOT NULL,
	`adm_date` date NOT NULL,
	`dscg_date` date,
	`setl_date` date NOT NULL,
	`dise_name` varchar(64),
	`medfee_sumamt` decimal(12,2) NOT NULL,
	`hifp_pay` decimal(12,2) NOT NULL,
	`hifmi_pay` decimal(12,2) NOT NULL,
	`maf_pay` decimal(12,2) NOT NULL,
	`psn_pay` decimal(12,2) NOT NULL,
	`refd_setl_flag` char(1) NOT NULL DEFAULT '0',
	CONSTRAINT `mi_setl_setl_id` PRIMARY KEY(`setl_id`)
);
--> statement-breakpoint
CREATE INDEX `mi_aid_pay_psn` ON `mi_aid_pay` (`psn_cert_no`);--> statement-breakpoint
CREATE INDEX `mi_setl_psn` ON `mi_setl` (`psn_cert_no`);