CREATE TABLE `knjr_bf` (
	`bf_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`gmsfhm` char(18) NOT NULL,
	`bfrq` date NOT NULL,
	`bfje` decimal(10,2) NOT NULL,
	`bfsy` varchar(128),
	CONSTRAINT `knjr_bf_bf_id` PRIMARY KEY(`bf_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `yf_fxbz` (
	`fx_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`gmsfhm` char(18) NOT NULL,
	`yfdxlb` char(2) NOT NULL,
	`ksrq` date NOT NULL,
	`zzrq` date,
	`ybz` decimal(10,2) NOT NULL,
	`ffzt` tinyint NOT NULL,
	CONSTRAINT `yf_fxbz_fx_id` PRIMARY KEY(`fx_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `knjr_bf_gmsfhm` ON `knjr_bf` (`gmsfhm`);--> statement-breakpoint
CREATE INDEX `yf_fxbz_gmsfhm` ON `yf_fxbz` (`gmsfhm`);