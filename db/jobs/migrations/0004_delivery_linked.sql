-- Ledger entries a charity delivery wrote before reported_aid.delivery_id was kept (reported-aid migration
-- 0004) name no delivery: a delivery's correction found its entry by reference and need, which a report of
-- another client of the organisation may share. The first hub to start after this links each such entry to
-- its delivery entry where it alone matches it (db/setup/upgrades.ts DELIVERY_LINKED).
-- Re-runnable (IGNORE): a start stopped before the journal recorded it runs it again.
INSERT IGNORE INTO `data_upgrade` (`name`) VALUES ('delivery-linked:reported_aid');
