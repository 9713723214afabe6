-- A case's OWNER_CHANGED event carries the two offices in columns since cases migration 0018 (from_office, to_office),
-- which supervision files each list by (the office that owned the case when a deadline fell due, a decision was
-- declined or waived, a slip was corrected, a first aid recorded, the case forwarded). The events recorded before them
-- held the offices only in their reason, `370811001 → CIVIL_AFFAIRS`, as the hub alone wrote it
-- (domain/cases/offices.ts ownerChangeReason). The first hub to start after this fills the columns from those reasons
-- (db/setup/upgrades.ts OWNER_CHANGE_OFFICES), each event sealed again as filled in the same transaction (case_event is
-- a sealed case record: db/cases/seals.ts), so audit:verify reads old rows and new alike. Re-runnable (IGNORE).
INSERT IGNORE INTO `data_upgrade` (`name`) VALUES ('owner-change-offices:case_event');
