ALTER TABLE `child_allowance` ADD `state_flag` tinyint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `child_allowance` ADD `revoked` boolean DEFAULT false NOT NULL;