-- A finding's fingerprint names the hospital stay it is about (X7's stay, a missed-aid rule's stays over the out-of-pocket
-- line): an earlier release built it from the reference as the department held it (`zy001 `), and the stay is keyed
-- `ZY001` since (domain/aid.ts settlementKey), so the next scan found such a finding again as a new one, and an officer's
-- dismissal or resolution of it no longer held. The first hub to start after this gives such findings the fingerprint
-- this release builds (db/setup/upgrades.ts FINDINGS_SETTLEMENT_KEYED); their history, content hashes and the audit
-- trail are kept. Re-runnable (IGNORE): a start stopped before the journal recorded it runs it again.
INSERT IGNORE INTO `data_upgrade` (`name`) VALUES ('settlement-keyed:finding');
