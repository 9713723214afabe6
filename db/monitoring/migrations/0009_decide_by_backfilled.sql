ALTER TABLE `monitoring_alert` ADD `decide_by_backfilled` boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- The alerts whose decide_by may be 0008's published default rather than their grade's limit: every
-- alert 0008 filled has exactly the first clue + 15 days. An alert raised since 0008 with that day
-- had a limit giving it at its raise; the hub counts its grade's limit again (decide-by-backfill.ts),
-- which gives the same day unless the locality's file changed between that raise and this upgrade.
-- A row's mark is all that says the count is still to be made: no date or process decides it.
UPDATE `monitoring_alert` SET `decide_by_backfilled` = true WHERE `decide_by` = DATE_ADD(`first_clue_on`, INTERVAL 15 DAY);--> statement-breakpoint
CREATE INDEX `monitoring_alert_decide_backfilled` ON `monitoring_alert` (`decide_by_backfilled`);
