-- A consent's and a need's idempotency keys are found by the SHA-256 of `<client>:<key>`
-- (db/idempotency-key.ts; a client's name holds no `:`), not by the key under the column's
-- collation, which took `K1`, `k1` and `K1 ` for one key. Filled for the keys stored before (SHA2 of
-- utf8mb4 text hashes its UTF-8 bytes, as keyDigest does), then made the unique keys in place of the
-- old ones. Stop hub processes of an earlier release before it runs: they write no digest.
ALTER TABLE `charity_consent` ADD `record_key_sha256` char(64);--> statement-breakpoint
ALTER TABLE `charity_need` ADD `publish_key_sha256` char(64);--> statement-breakpoint
UPDATE `charity_consent` SET `record_key_sha256` = SHA2(CONCAT(`recorded_by_client`, ':', `record_key`), 256) WHERE `record_key` IS NOT NULL;--> statement-breakpoint
UPDATE `charity_need` SET `publish_key_sha256` = SHA2(CONCAT(`published_by_client`, ':', `publish_key`), 256) WHERE `publish_key` IS NOT NULL;--> statement-breakpoint
ALTER TABLE `charity_consent` ADD CONSTRAINT `charity_consent_record_key_sha256` UNIQUE(`record_key_sha256`);--> statement-breakpoint
ALTER TABLE `charity_need` ADD CONSTRAINT `charity_need_publish_key_sha256` UNIQUE(`publish_key_sha256`);--> statement-breakpoint
ALTER TABLE `charity_consent` DROP INDEX `charity_consent_record_key`;--> statement-breakpoint
ALTER TABLE `charity_need` DROP INDEX `charity_need_publish_key`;
