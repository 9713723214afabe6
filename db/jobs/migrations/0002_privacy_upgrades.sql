-- Meetings' dossiers stored before version 3 hold every member's birth date and the household's
-- address, which no meeting participant may read (PIPL art. 6; access/policy.ts HOME_VISIT); charity
-- needs published before their descriptions were screened were never screened. The first hub to start
-- after this rewrites the dossiers without both (each member's age kept) and screens the open needs,
-- withdrawing those that fail (db/setup/upgrades.ts). Re-runnable (IGNORE): a start stopped before the
-- journal recorded it runs it again.
INSERT IGNORE INTO `data_upgrade` (`name`) VALUES ('dossier-minimised:case_meeting'), ('need-description-screened:charity_need');
