CREATE TABLE `conflicts` (
	`id` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`student_no` text NOT NULL,
	`step_id` text NOT NULL,
	`winning_op_id` text,
	`flagged_op_id` text NOT NULL,
	`detail` text NOT NULL,
	`resolved` integer NOT NULL,
	`resolved_by` text,
	`resolved_at` text
);
--> statement-breakpoint
CREATE INDEX `conflicts_student` ON `conflicts` (`student_no`,`step_id`);--> statement-breakpoint
CREATE TABLE `server_step_states` (
	`student_no` text NOT NULL,
	`step_id` text NOT NULL,
	`status` text NOT NULL,
	`note` text NOT NULL,
	`version` integer NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_by_name` text NOT NULL,
	`last_op_id` text NOT NULL,
	PRIMARY KEY(`student_no`, `step_id`)
);
--> statement-breakpoint
CREATE TABLE `server_waivers` (
	`student_no` text NOT NULL,
	`step_id` text NOT NULL,
	`lifted` integer NOT NULL,
	`note` text NOT NULL,
	`version` integer NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL,
	`last_op_id` text NOT NULL,
	PRIMARY KEY(`student_no`, `step_id`)
);
