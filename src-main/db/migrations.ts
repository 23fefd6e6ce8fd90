/**
 * The replica schema as SQL, bundled so the Electron build, tsx and vitest need no migration
 * folder at run time. Each entry is the drizzle-kit output of src-main/db/drizzle, reviewed and
 * copied verbatim (a test keeps the two identical). Append the next version; never edit one
 * that has shipped: counters in the field have already run it.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: '0000_initial',
    sql: `CREATE TABLE \`audit_log\` (
	\`id\` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	\`op_id\` text NOT NULL,
	\`at\` text NOT NULL,
	\`operator_id\` text NOT NULL,
	\`kind\` text NOT NULL,
	\`student_no\` text NOT NULL,
	\`step_id\` text NOT NULL,
	\`from_status\` text,
	\`to_status\` text,
	\`note\` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE INDEX \`audit_log_student\` ON \`audit_log\` (\`student_no\`,\`step_id\`);--> statement-breakpoint
CREATE TABLE \`batch\` (
	\`slot\` integer PRIMARY KEY NOT NULL,
	\`id\` text NOT NULL,
	\`definition\` text NOT NULL,
	\`loaded_at\` text NOT NULL,
	CONSTRAINT "batch_single_row" CHECK("batch"."slot" = 1)
);
--> statement-breakpoint
CREATE TABLE \`meta\` (
	\`key\` text PRIMARY KEY NOT NULL,
	\`value\` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE \`outbox\` (
	\`device_seq\` integer PRIMARY KEY NOT NULL,
	\`op_id\` text NOT NULL,
	\`device_id\` text NOT NULL,
	\`operator_id\` text NOT NULL,
	\`kind\` text NOT NULL,
	\`student_no\` text NOT NULL,
	\`step_id\` text NOT NULL,
	\`args\` text NOT NULL,
	\`base_version\` integer NOT NULL,
	\`client_time\` text NOT NULL,
	\`acked_at\` text,
	\`outcome\` text,
	\`outcome_reason\` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX \`outbox_op_id_unique\` ON \`outbox\` (\`op_id\`);--> statement-breakpoint
CREATE INDEX \`outbox_unacked\` ON \`outbox\` (\`acked_at\`,\`device_seq\`);--> statement-breakpoint
CREATE TABLE \`step_states\` (
	\`student_no\` text NOT NULL,
	\`step_id\` text NOT NULL,
	\`status\` text NOT NULL,
	\`note\` text DEFAULT '' NOT NULL,
	\`version\` integer DEFAULT 0 NOT NULL,
	\`updated_at\` text,
	\`updated_by\` text,
	\`updated_by_name\` text,
	PRIMARY KEY(\`student_no\`, \`step_id\`),
	FOREIGN KEY (\`student_no\`) REFERENCES \`students\`(\`student_no\`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "step_states_status" CHECK("step_states"."status" in ('pending', 'passed', 'rejected', 'na'))
);
--> statement-breakpoint
CREATE INDEX \`step_states_step_status\` ON \`step_states\` (\`step_id\`,\`status\`);--> statement-breakpoint
CREATE TABLE \`students\` (
	\`student_no\` text PRIMARY KEY NOT NULL,
	\`name\` text NOT NULL,
	\`gender\` text NOT NULL,
	\`college\` text NOT NULL,
	\`major\` text NOT NULL,
	\`class_name\` text NOT NULL,
	\`dorm\` text,
	\`id_hash\` text NOT NULL,
	\`id_masked\` text NOT NULL,
	\`id_last6\` text NOT NULL,
	\`is_previous\` integer NOT NULL,
	\`flags\` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX \`students_id_hash\` ON \`students\` (\`id_hash\`);--> statement-breakpoint
CREATE INDEX \`students_id_last6\` ON \`students\` (\`id_last6\`);--> statement-breakpoint
CREATE INDEX \`students_name\` ON \`students\` (\`name\`);--> statement-breakpoint
CREATE INDEX \`students_class_name\` ON \`students\` (\`class_name\`);--> statement-breakpoint
CREATE INDEX \`students_dorm\` ON \`students\` (\`dorm\`);--> statement-breakpoint
CREATE INDEX \`students_college\` ON \`students\` (\`college\`);--> statement-breakpoint
CREATE TABLE \`sync_state\` (
	\`slot\` integer PRIMARY KEY NOT NULL,
	\`cursor\` integer DEFAULT 0 NOT NULL,
	\`server_seq\` integer DEFAULT 0 NOT NULL,
	\`last_push_at\` text,
	\`last_pull_at\` text,
	\`last_error\` text,
	CONSTRAINT "sync_state_single_row" CHECK("sync_state"."slot" = 1)
);
--> statement-breakpoint
CREATE TABLE \`waivers\` (
	\`student_no\` text NOT NULL,
	\`step_id\` text NOT NULL,
	\`lifted\` integer NOT NULL,
	\`note\` text DEFAULT '' NOT NULL,
	\`version\` integer DEFAULT 0 NOT NULL,
	\`updated_at\` text NOT NULL,
	\`updated_by\` text NOT NULL,
	PRIMARY KEY(\`student_no\`, \`step_id\`),
	FOREIGN KEY (\`student_no\`) REFERENCES \`students\`(\`student_no\`) ON UPDATE no action ON DELETE cascade
);
`,
  },
  {
    version: 2,
    name: '0001_sync_shadow',
    sql: `CREATE TABLE \`conflicts\` (
	\`id\` integer PRIMARY KEY NOT NULL,
	\`kind\` text NOT NULL,
	\`student_no\` text NOT NULL,
	\`step_id\` text NOT NULL,
	\`winning_op_id\` text,
	\`flagged_op_id\` text NOT NULL,
	\`detail\` text NOT NULL,
	\`resolved\` integer NOT NULL,
	\`resolved_by\` text,
	\`resolved_at\` text
);
--> statement-breakpoint
CREATE INDEX \`conflicts_student\` ON \`conflicts\` (\`student_no\`,\`step_id\`);--> statement-breakpoint
CREATE TABLE \`server_step_states\` (
	\`student_no\` text NOT NULL,
	\`step_id\` text NOT NULL,
	\`status\` text NOT NULL,
	\`note\` text NOT NULL,
	\`version\` integer NOT NULL,
	\`updated_at\` text NOT NULL,
	\`updated_by\` text NOT NULL,
	\`updated_by_name\` text NOT NULL,
	\`last_op_id\` text NOT NULL,
	PRIMARY KEY(\`student_no\`, \`step_id\`)
);
--> statement-breakpoint
CREATE TABLE \`server_waivers\` (
	\`student_no\` text NOT NULL,
	\`step_id\` text NOT NULL,
	\`lifted\` integer NOT NULL,
	\`note\` text NOT NULL,
	\`version\` integer NOT NULL,
	\`updated_at\` text NOT NULL,
	\`updated_by\` text NOT NULL,
	\`last_op_id\` text NOT NULL,
	PRIMARY KEY(\`student_no\`, \`step_id\`)
);
`,
  },
  {
    version: 3,
    name: '0002_outbox_repair',
    sql: `ALTER TABLE \`outbox\` ADD \`repaired_from\` text;`,
  },
  {
    version: 4,
    name: '0003_student_standing',
    sql: `ALTER TABLE \`students\` ADD \`in_scope\` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE \`students\` ADD \`withdrawn_reason\` text;`,
  },
  {
    version: 5,
    name: '0004_restore_history',
    sql: `CREATE TABLE \`restore_losses\` (
	\`history_id\` text NOT NULL,
	\`op_id\` text NOT NULL,
	\`student_no\` text NOT NULL,
	\`step_id\` text NOT NULL,
	\`change\` text NOT NULL,
	\`note\` text NOT NULL,
	\`by\` text NOT NULL,
	\`by_name\` text NOT NULL,
	\`at\` text NOT NULL,
	PRIMARY KEY(\`history_id\`, \`op_id\`)
);
--> statement-breakpoint
CREATE TABLE \`server_restores\` (
	\`history_id\` text PRIMARY KEY NOT NULL,
	\`backup_of\` text,
	\`noticed_at\` text NOT NULL,
	\`dismissed_at\` text
);
`,
  },
  {
    version: 6,
    name: '0005_id_card_store_less',
    sql: `DROP INDEX \`students_id_hash\`;--> statement-breakpoint
UPDATE \`students\` SET \`id_masked\` = printf('%.*c', length(\`id_masked\`) - 4, '*') || substr(\`id_masked\`, -4), \`id_hash\` = substr(\`id_hash\`, 1, 1);`,
  },
  {
    version: 7,
    name: '0006_operator_session',
    sql: `ALTER TABLE \`outbox\` ADD \`session\` text;`,
  },
];
