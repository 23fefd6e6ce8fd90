CREATE TABLE `restore_losses` (
	`history_id` text NOT NULL,
	`op_id` text NOT NULL,
	`student_no` text NOT NULL,
	`step_id` text NOT NULL,
	`change` text NOT NULL,
	`note` text NOT NULL,
	`by` text NOT NULL,
	`by_name` text NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`history_id`, `op_id`)
);
--> statement-breakpoint
CREATE TABLE `server_restores` (
	`history_id` text PRIMARY KEY NOT NULL,
	`backup_of` text,
	`noticed_at` text NOT NULL,
	`dismissed_at` text
);
