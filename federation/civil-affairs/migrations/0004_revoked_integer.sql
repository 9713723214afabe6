-- revoked read as an integer (0 有效, 1 撤销): as a boolean, any other value (2) read as not revoked.
ALTER TABLE `child_allowance` MODIFY COLUMN `revoked` tinyint NOT NULL DEFAULT 0;--> statement-breakpoint
ALTER TABLE `temp_aid_grant` MODIFY COLUMN `revoked` tinyint NOT NULL DEFAULT 0;
