CREATE TABLE `gh_grant` (
	`grant_no` bigint unsigned AUTO_INCREMENT NOT NULL,
	`file_no` varchar(20) NOT NULL,
	`grant_type` char(2) NOT NULL,
	`grant_date` date NOT NULL,
	`amount_fen` int NOT NULL,
	`student_id_card` char(18),
	`school_year` char(9),
	`setl_ref` varchar(30),
	CONSTRAINT `gh_grant_grant_no` PRIMARY KEY(`grant_no`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `gh_worker_file` (
	`file_no` varchar(20) NOT NULL,
	`id_card` char(18) NOT NULL,
	`employer` varchar(128) NOT NULL,
	`hardship_level` tinyint NOT NULL,
	`file_date` date NOT NULL,
	`closed_date` date,
	`job_lost_date` date,
	CONSTRAINT `gh_worker_file_file_no` PRIMARY KEY(`file_no`)
);
--> statement-breakpoint
CREATE INDEX `gh_grant_file` ON `gh_grant` (`file_no`);--> statement-breakpoint
CREATE INDEX `gh_grant_student` ON `gh_grant` (`student_id_card`);--> statement-breakpoint
CREATE INDEX `gh_worker_id` ON `gh_worker_file` (`id_card`);