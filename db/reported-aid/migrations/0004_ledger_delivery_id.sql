ALTER TABLE `reported_aid` ADD `delivery_id` bigint unsigned;--> statement-breakpoint
ALTER TABLE `reported_aid` ADD CONSTRAINT `reported_aid_delivery` UNIQUE(`delivery_id`);