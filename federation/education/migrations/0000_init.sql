CREATE TABLE `xs_funding` (
	`funding_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`student_no` varchar(20) NOT NULL,
	`school_year` char(9) NOT NULL,
	`semester` tinyint NOT NULL,
	`funding_type` varchar(8) NOT NULL,
	`amount_yuan` decimal(10,2) NOT NULL,
	`paid_date` date NOT NULL,
	`paid_flag` tinyint NOT NULL DEFAULT 1,
	CONSTRAINT `xs_funding_funding_id` PRIMARY KEY(`funding_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `xs_student` (
	`student_no` varchar(20) NOT NULL,
	`sfzh` char(18) NOT NULL,
	`school_code` varchar(12) NOT NULL,
	`school_name` varchar(64) NOT NULL,
	`stage` char(2) NOT NULL,
	`grade` tinyint NOT NULL,
	`enrol_year` char(4) NOT NULL,
	CONSTRAINT `xs_student_student_no` PRIMARY KEY(`student_no`)
);
--> statement-breakpoint
CREATE INDEX `xs_funding_student` ON `xs_funding` (`student_no`);--> statement-breakpoint
CREATE INDEX `xs_student_sfzh` ON `xs_student` (`sfzh`);