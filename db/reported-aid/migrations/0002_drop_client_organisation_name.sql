-- A client's own copy of its organisation's name: written at registration and read by nothing since
-- migration 0001 gave each credit code one name (charity_organisation_name, which every look-up reads).
-- Hub processes of a release before this one still write the column: stop them before migrating.
ALTER TABLE `charity_organisation` DROP COLUMN `name`;
