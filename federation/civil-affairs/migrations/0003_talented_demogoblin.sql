ALTER TABLE `dibao_family` ADD `updated_at` timestamp DEFAULT CURRENT_TIMESTAMP NOT NULL ON UPDATE CURRENT_TIMESTAMP;--> statement-breakpoint
ALTER TABLE `dibao_member` ADD `updated_at` timestamp DEFAULT CURRENT_TIMESTAMP NOT NULL ON UPDATE CURRENT_TIMESTAMP;--> statement-breakpoint
CREATE INDEX `dibao_family_updated` ON `dibao_family` (`updated_at`);--> statement-breakpoint
CREATE INDEX `dibao_member_updated` ON `dibao_member` (`updated_at`);