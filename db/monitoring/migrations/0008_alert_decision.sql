ALTER TABLE `monitoring_alert` ADD `decide_by` date;--> statement-breakpoint
-- Alerts raised before the decision limit: the published default, 15 days from the first clue (a
-- locality's own limit applies to alerts raised from now on).
UPDATE `monitoring_alert` SET `decide_by` = DATE_ADD(`first_clue_on`, INTERVAL 15 DAY);--> statement-breakpoint
ALTER TABLE `monitoring_alert` MODIFY COLUMN `decide_by` date NOT NULL;--> statement-breakpoint
ALTER TABLE `monitoring_alert` ADD `decided_on` date;--> statement-breakpoint
-- Decided already: a dismissal or a verification as needing no aid on the day of its event (China
-- time, UTC+8); a NEEDS_AID alert on the day its case was first decided or rejected.
UPDATE `monitoring_alert` SET `decided_on` = (SELECT DATE(DATE_ADD(MAX(e.`at`), INTERVAL 8 HOUR)) FROM `monitoring_alert_event` e WHERE e.`alert_id` = `monitoring_alert`.`id` AND e.`action` IN ('DISMISSED', 'VERIFIED')) WHERE `state` = 'DISMISSED' OR (`state` = 'VERIFIED' AND `outcome` = 'NO_NEED');--> statement-breakpoint
UPDATE `monitoring_alert` SET `decided_on` = (SELECT DATE(DATE_ADD(MIN(c.`occurred_at`), INTERVAL 8 HOUR)) FROM `case_event` c WHERE c.`case_id` = `monitoring_alert`.`case_id` AND c.`action` = 'TRANSITIONED' AND c.`to_state` IN ('DECIDED', 'REJECTED')) WHERE `state` = 'VERIFIED' AND `outcome` = 'NEEDS_AID' AND `case_id` IS NOT NULL;--> statement-breakpoint
CREATE INDEX `monitoring_alert_decision` ON `monitoring_alert` (`decided_on`,`decide_by`);
