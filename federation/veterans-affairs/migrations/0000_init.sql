CREATE TABLE `bfyz_jl` (
	`jl_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`sfzh` char(18) NOT NULL,
	`yzlx` char(2) NOT NULL,
	`ffrq` date NOT NULL,
	`yzje` decimal(10,2) NOT NULL,
	`jlzt` tinyint NOT NULL,
	`yzsy` varchar(128),
	CONSTRAINT `bfyz_jl_jl_id` PRIMARY KEY(`jl_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `dqfx_ff` (
	`ff_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`sfzh` char(18) NOT NULL,
	`qsrq` date NOT NULL,
	`jzrq` date,
	`ybz` decimal(10,2) NOT NULL,
	`ffzt` tinyint NOT NULL,
	CONSTRAINT `dqfx_ff_ff_id` PRIMARY KEY(`ff_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE TABLE `yfdx_xx` (
	`dx_id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`sfzh` char(18) NOT NULL,
	`yflb` char(2) NOT NULL,
	`rdrq` date NOT NULL,
	`dxzt` tinyint NOT NULL,
	`xzqh` char(6) NOT NULL,
	CONSTRAINT `yfdx_xx_dx_id` PRIMARY KEY(`dx_id`)
) /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
--> statement-breakpoint
CREATE INDEX `bfyz_jl_sfzh` ON `bfyz_jl` (`sfzh`);--> statement-breakpoint
CREATE INDEX `dqfx_ff_sfzh` ON `dqfx_ff` (`sfzh`);--> statement-breakpoint
CREATE INDEX `yfdx_xx_sfzh` ON `yfdx_xx` (`sfzh`);