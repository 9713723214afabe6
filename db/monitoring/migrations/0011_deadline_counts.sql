ALTER TABLE `monitoring_alert_event` MODIFY COLUMN `action` enum('OPENED','RAISED','DELIVERED','ACKNOWLEDGED','VERIFIED','DISMISSED','MOVED','TAKEN_OVER','DECIDE_BY_CORRECTED','DEADLINE_RECOUNTED') NOT NULL;--> statement-breakpoint
-- The working days each date was counted with (NULL: calendar days), kept from now on so that a start
-- under another holiday calendar counts the date again. An alert raised before keeps its dates: the
-- limit in force at its raise is not known (deadline_counts_kept stays false).
ALTER TABLE `monitoring_alert` ADD `acknowledge_working_days` int;--> statement-breakpoint
ALTER TABLE `monitoring_alert` ADD `verify_working_days` int;--> statement-breakpoint
ALTER TABLE `monitoring_alert` ADD `decide_working_days` int;--> statement-breakpoint
ALTER TABLE `monitoring_alert` ADD `deadline_counts_kept` boolean DEFAULT false NOT NULL;
