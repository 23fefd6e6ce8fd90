ALTER TABLE `students` ADD `in_scope` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `students` ADD `withdrawn_reason` text;