ALTER TABLE `monitoring_alert_event` ADD `former_region_code` varchar(12);--> statement-breakpoint
ALTER TABLE `monitoring_alert_event` ADD `handed_over_case_id` bigint unsigned;--> statement-breakpoint
ALTER TABLE `monitoring_alert_event` ADD `successor_case_id` bigint unsigned;--> statement-breakpoint
-- The moves recorded before these columns, read once from their reasons as every earlier release
-- wrote them (household ids and division codes, then the cases of a hand-over):
--   household 7 (370811001001) → 8 (370826100)
--   household 7 (370811001001) → 7 (370826100); case 3 handed over as case 9
-- The division left is the first parenthesis; the cases, the numbers of the hand-over's clause.
-- Only what has that shape is read (a reason of other words keeps NULL: no number is guessed, and a
-- strict server never casts a word); from now on the hub writes the columns with the event and no
-- reader looks at the words. Plain string functions and a basic regular expression of ASCII (the
-- arrow matched as any text): MySQL 8 (ICU), MariaDB (PCRE) and TiDB (RE2) read it alike.
UPDATE `monitoring_alert_event` SET
  `former_region_code` = SUBSTRING_INDEX(SUBSTRING_INDEX(`reason`, ')', 1), '(', -1),
  `handed_over_case_id` = CASE WHEN `reason` REGEXP '^household [^ ]+ [(][0-9]{6,12}[)] .+ [^ ]+ [(][0-9]{6,12}[)]; case [0-9]+ handed over as case [0-9]+$'
    THEN CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(`reason`, '; case ', -1), ' ', 1) AS UNSIGNED) END,
  `successor_case_id` = CASE WHEN `reason` REGEXP '^household [^ ]+ [(][0-9]{6,12}[)] .+ [^ ]+ [(][0-9]{6,12}[)]; case [0-9]+ handed over as case [0-9]+$'
    THEN CAST(SUBSTRING_INDEX(`reason`, ' ', -1) AS UNSIGNED) END
WHERE `action` = 'MOVED' AND `former_region_code` IS NULL AND `reason` REGEXP '^household [^ ]+ [(][0-9]{6,12}[)] ';
