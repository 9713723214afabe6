CREATE TABLE `gyxgw_ap` (
	`ap_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`sfzhm` char(18) NOT NULL,
	`gwmc` varchar(64) NOT NULL,
	`yrdw` varchar(128) NOT NULL,
	`ksrq` date NOT NULL,
	`jsrq` date,
	`gwbt` decimal(10,2) NOT NULL,
	CONSTRAINT `gyxgw_ap_ap_id` PRIMARY KEY(`ap_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `jy_bz_ff` (
	`ff_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`sfzhm` char(18) NOT NULL,
	`btlx` char(2) NOT NULL,
	`ffrq` date NOT NULL,
	`ffje` decimal(10,2) NOT NULL,
	`xmmc` varchar(64),
	CONSTRAINT `jy_bz_ff_ff_id` PRIMARY KEY(`ff_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `jy_knry_rd` (
	`rd_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`sfzhm` char(18) NOT NULL,
	`rdlb` char(2) NOT NULL,
	`rdrq` date NOT NULL,
	`yxqz` date,
	`rdzt` tinyint NOT NULL,
	`jbjg` char(6) NOT NULL,
	CONSTRAINT `jy_knry_rd_rd_id` PRIMARY KEY(`rd_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `sy_bxj_ff` (
	`ff_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`sfzhm` char(18) NOT NULL,
	`ksrq` date NOT NULL,
	`zzrq` date,
	`yffbz` decimal(10,2) NOT NULL,
	`ffzt` tinyint NOT NULL,
	CONSTRAINT `sy_bxj_ff_ff_id` PRIMARY KEY(`ff_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `sy_djxx` (
	`dj_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`sfzhm` char(18) NOT NULL,
	`syrq` date NOT NULL,
	`djrq` date NOT NULL,
	`ygzdw` varchar(128),
	`syyy` char(2) NOT NULL,
	`zxrq` date,
	CONSTRAINT `sy_djxx_dj_id` PRIMARY KEY(`dj_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `gyxgw_ap_sfzhm` ON `gyxgw_ap` (`sfzhm`);--> statement-breakpoint
CREATE INDEX `jy_bz_ff_sfzhm` ON `jy_bz_ff` (`sfzhm`);--> statement-breakpoint
CREATE INDEX `jy_knry_rd_sfzhm` ON `jy_knry_rd` (`sfzhm`);--> statement-breakpoint
CREATE INDEX `sy_bxj_ff_sfzhm` ON `sy_bxj_ff` (`sfzhm`);--> statement-breakpoint
CREATE INDEX `sy_djxx_sfzhm` ON `sy_djxx` (`sfzhm`);