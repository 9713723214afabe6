ALTER TABLE `access_log` ADD `officer` varchar(64);--> statement-breakpoint
ALTER TABLE `api_client` ADD `require_officer` boolean DEFAULT false NOT NULL;