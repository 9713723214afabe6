-- How far a start has checked the alerts for the calendar-day counts a process of the release before
-- monitoring migration 0013 leaves out (db/monitoring/store.ts keepOlderReleaseCalendarDays): a start
-- reads only the alerts after `checked_through`, not the whole alert table.
ALTER TABLE `calendar_recount` ADD `checked_through` bigint unsigned DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `calendar_recount` ADD `gap_seen_at` datetime(3);