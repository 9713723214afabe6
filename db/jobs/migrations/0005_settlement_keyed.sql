-- Settlement references are keyed with their letters upper-case since (domain/aid.ts settlementKey): a reference an
-- earlier release stored in lower case (`x1`) no longer met one stored now (`X1`), and an alert it raised on a stay
-- health holds in lower case or padded was built on the reference as returned. The first hub to start after this
-- writes every stored settlement reference as keyed and gives such alerts the identity of the stay as keyed
-- (db/setup/upgrades.ts settlementKeyedName, ALERTS_SETTLEMENT_KEYED); content hashes are kept.
-- Re-runnable (IGNORE): a start stopped before the journal recorded it runs it again.
INSERT IGNORE INTO `data_upgrade` (`name`) VALUES ('settlement-keyed:reported_aid'), ('settlement-keyed:referral_slip'), ('settlement-keyed:charity_delivery'), ('settlement-keyed:monitoring_alert');
