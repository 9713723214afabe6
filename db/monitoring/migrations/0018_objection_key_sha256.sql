-- An objection's key is found by its SHA-256 (db/idempotency-key.ts), not by the key under the
-- column's collation, which took `K1`, `k1` and `K1 ` for one key. Added empty, filled for the
-- objections recorded before (SHA2 of the utf8mb4 key hashes its UTF-8 bytes, as keyDigest does),
-- then required and made the unique key in place of the old one. Stop hub processes of an earlier
-- release before it runs: they write no digest.
ALTER TABLE `monitoring_notice_objection` ADD `key_sha256` char(64);--> statement-breakpoint
UPDATE `monitoring_notice_objection` SET `key_sha256` = SHA2(`idempotency_key`, 256);--> statement-breakpoint
ALTER TABLE `monitoring_notice_objection` MODIFY COLUMN `key_sha256` char(64) NOT NULL;--> statement-breakpoint
ALTER TABLE `monitoring_notice_objection` ADD CONSTRAINT `monitoring_notice_objection_key_sha256` UNIQUE(`key_sha256`);--> statement-breakpoint
ALTER TABLE `monitoring_notice_objection` DROP INDEX `monitoring_notice_objection_key`;
