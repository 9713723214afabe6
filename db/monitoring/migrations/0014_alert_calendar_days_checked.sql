-- Whether an alert's counts are as this release keeps them, calendar days included (db/monitoring/store.ts
-- keepOlderReleaseCalendarDays): a start reads only the alerts not yet checked, through the index. Every
-- alert starts unchecked, so the first start after the upgrade checks each once; a process of the release
-- before 0013 never sets it.
ALTER TABLE `monitoring_alert` ADD `calendar_days_checked` boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `monitoring_alert_calendar_days_checked` ON `monitoring_alert` (`calendar_days_checked`,`deadline_counts_kept`,`id`);