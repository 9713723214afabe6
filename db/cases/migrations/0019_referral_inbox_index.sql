CREATE INDEX `referral_slip_to_state_due` ON `referral_slip` (`to_office`,`state`,`due_on`);--> statement-breakpoint
DROP INDEX `referral_slip_to_state` ON `referral_slip`;