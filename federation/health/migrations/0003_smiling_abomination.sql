ALTER TABLE `mi_aid_pay` ADD `updt_time` timestamp DEFAULT CURRENT_TIMESTAMP NOT NULL ON UPDATE CURRENT_TIMESTAMP;--> statement-breakpoint
ALTER TABLE `mi_setl` ADD `updt_time` timestamp DEFAULT CURRENT_TIMESTAMP NOT NULL ON UPDATE CURRENT_TIMESTAMP;--> statement-breakpoint
CREATE INDEX `mi_aid_pay_updt` ON `mi_aid_pay` (`updt_time`);--> statement-breakpoint
CREATE INDEX `mi_setl_updt` ON `mi_setl` (`updt_time`);