ALTER TABLE `charity_need` ADD `publish_key` varchar(64);--> statement-breakpoint
ALTER TABLE `charity_need` ADD CONSTRAINT `charity_need_publish_key` UNIQUE(`published_by_client`,`publish_key`);