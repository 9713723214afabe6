-- Meetings' dossiers stored before version 3 hold every member's birth date and the household's
-- address, which no meeting participant may read (PIPL art. 6; access/policy.ts HOME_VISIT): the first
-- hub to start after this rewrites them without both, each member's age kept (db/setup/upgrades.ts).
-- Re-runnable (IGNORE): a start stopped before the journal recorded it runs it again.
INSERT IGNORE INTO `data_upgrade` (`name`) VALUES ('dossier-minimised:case_meeting');
