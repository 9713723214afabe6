-- Settlement numbers stored before they were read as typed (full-width digits kept as sent, domain/aid.ts
-- settlementReferenceOf) name no stay: such aid counted in no stay's sum (X7) and a decision naming the
-- stay in ASCII did not meet it. The first hub to start after this rewrites every stored settlement
-- reference in its read form (db/setup/upgrades.ts SETTLEMENT_TABLES); content hashes are kept.
-- Re-runnable (IGNORE): a start stopped before the journal recorded it runs it again.
INSERT IGNORE INTO `data_upgrade` (`name`) VALUES ('settlement-read:reported_aid'), ('settlement-read:referral_slip'), ('settlement-read:charity_delivery');
