-- Requests are found by the SHA-256 of their key (db/idempotency-key.ts), not by the key under the
-- column's collation, which took `K1`, `k1` and `K1 ` for one key. The primary key moves to the
-- digest in a new table, filled from the old one and put in its place: TiDB does not drop the
-- clustered primary key the old table may have been given. SHA2 of the utf8mb4 key hashes its UTF-8
-- bytes, as keyDigest does (test/idempotency-keys.test.ts). Stop hub processes of an earlier release
-- before it runs: they still look keys up without the digest.
CREATE TABLE `case_request_by_digest` (
	`key_sha256` char(64) NOT NULL,
	`idempotency_key` varchar(96) NOT NULL,
	`request_hash` char(64) NOT NULL,
	`case_id` bigint unsigned NOT NULL,
	CONSTRAINT `case_request_key_sha256` PRIMARY KEY(`key_sha256`)
);--> statement-breakpoint
INSERT INTO `case_request_by_digest` (`key_sha256`, `idempotency_key`, `request_hash`, `case_id`)
  SELECT SHA2(`idempotency_key`, 256), `idempotency_key`, `request_hash`, `case_id` FROM `case_request`;--> statement-breakpoint
DROP TABLE `case_request`;--> statement-breakpoint
RENAME TABLE `case_request_by_digest` TO `case_request`;
