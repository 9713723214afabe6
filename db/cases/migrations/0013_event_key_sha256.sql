-- An event's key is found by its SHA-256 (db/idempotency-key.ts), not by the key under the column's
-- collation, which took `K1`, `k1` and `K1 ` for one key. Filled for the keys stored before (SHA2 of
-- the utf8mb4 key hashes its UTF-8 bytes, as keyDigest does), then made the unique key in place of
-- the old one. Stop hub processes of an earlier release before it runs: they write no digest.
ALTER TABLE `case_event` ADD `key_sha256` char(64);--> statement-breakpoint
UPDATE `case_event` SET `key_sha256` = SHA2(`idempotency_key`, 256) WHERE `idempotency_key` IS NOT NULL;--> statement-breakpoint
ALTER TABLE `case_event` ADD CONSTRAINT `case_event_key_sha256` UNIQUE(`key_sha256`);--> statement-breakpoint
ALTER TABLE `case_event` DROP INDEX `case_event_idempotency`;
