-- The calendar days verification and decision were counted with (NULL: working days), kept from now
-- on so that a start under another holiday calendar or another rule for a calendar-day limit whose
-- last day is off (the trigger set's lastDayOff, 民法典 art. 203) counts the date again.
ALTER TABLE `monitoring_alert` ADD `verify_days` int;--> statement-breakpoint
ALTER TABLE `monitoring_alert` ADD `decide_days` int;--> statement-breakpoint
-- An alert that kept its counts (0011) with a NULL working-day count was counted in calendar days,
-- to the day itself (art. 201 alone, the only way the hub counted them until now): its count is the
-- days from the first clue to the date. An alert that kept no counts gets them, where its dates show
-- them, at the next start (resolvers/monitoring/deadline-recount.ts inferAlertDeadlineCounts); a
-- decision day still marked as 0008's default (decide_by_backfilled) gets its count when the hub
-- counts it. Run again, it changes nothing.
UPDATE `monitoring_alert` SET
  `verify_days` = CASE WHEN `verify_working_days` IS NULL AND DATEDIFF(`verify_by`, `first_clue_on`) >= 1 THEN DATEDIFF(`verify_by`, `first_clue_on`) ELSE NULL END,
  `decide_days` = CASE WHEN `decide_working_days` IS NULL AND `decide_by_backfilled` = false AND DATEDIFF(`decide_by`, `first_clue_on`) >= 1 THEN DATEDIFF(`decide_by`, `first_clue_on`) ELSE NULL END
WHERE `deadline_counts_kept` = true AND `verify_days` IS NULL AND `decide_days` IS NULL AND (`verify_working_days` IS NULL OR `decide_working_days` IS NULL);
