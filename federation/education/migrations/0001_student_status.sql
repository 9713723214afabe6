ALTER TABLE `xs_student` ADD `xj_status` char(2) DEFAULT 'ZX' NOT NULL;--> statement-breakpoint
ALTER TABLE `xs_student` ADD `leave_date` date;