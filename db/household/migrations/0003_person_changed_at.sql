ALTER TABLE `person` ADD `changed_at` timestamp DEFAULT CURRENT_TIMESTAMP NOT NULL ON UPDATE CURRENT_TIMESTAMP;--> statement-breakpoint
CREATE INDEX `person_changed_at` ON `person` (`changed_at`);