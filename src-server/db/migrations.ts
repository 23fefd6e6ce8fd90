/**
 * The server schema as SQL, bundled so a packaged server needs no migration folder. Generated
 * from ./schema.ts with drizzle-kit, one statement per entry. Append new migrations with the
 * next version; never edit one that has shipped.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
  /** Its statements rewrite rows, and are run again on rows restored from a backup taken before it (admin/backup.ts). */
  rewritesRows?: true;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: [
      `CREATE TABLE "api_keys" (
          "id" text PRIMARY KEY NOT NULL,
          "name" text NOT NULL,
          "batch_id" text NOT NULL,
          "key_hash" text NOT NULL,
          "step_ids" jsonb NOT NULL,
          "revoked" boolean DEFAULT false NOT NULL,
          "created_at" timestamp with time zone DEFAULT now() NOT NULL,
          CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
        );`,
      `CREATE TABLE "batches" (
          "id" text PRIMARY KEY NOT NULL,
          "name" text NOT NULL,
          "definition" jsonb NOT NULL,
          "id_hash_key" text NOT NULL,
          "created_at" timestamp with time zone DEFAULT now() NOT NULL
        );`,
      `CREATE TABLE "conflicts" (
          "id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "conflicts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
          "batch_id" text NOT NULL,
          "kind" text NOT NULL,
          "student_no" text NOT NULL,
          "step_id" text NOT NULL,
          "winning_op_id" text,
          "flagged_op_id" text NOT NULL,
          "detail" text NOT NULL,
          "resolved" boolean DEFAULT false NOT NULL,
          "resolved_by" text,
          "resolved_at" text,
          "created_at" timestamp with time zone DEFAULT now() NOT NULL,
          "seq" bigint NOT NULL
        );`,
      `CREATE TABLE "device_operators" (
          "device_id" text NOT NULL,
          "operator_no" text NOT NULL,
          "created_at" timestamp with time zone DEFAULT now() NOT NULL,
          CONSTRAINT "device_operators_device_id_operator_no_pk" PRIMARY KEY("device_id","operator_no")
        );`,
      `CREATE TABLE "devices" (
          "id" text PRIMARY KEY NOT NULL,
          "name" text NOT NULL,
          "batch_id" text NOT NULL,
          "token_hash" text NOT NULL,
          "registered_by" text NOT NULL,
          "last_seq" integer DEFAULT 0 NOT NULL,
          "revoked" boolean DEFAULT false NOT NULL,
          "created_at" timestamp with time zone DEFAULT now() NOT NULL,
          "last_seen_at" timestamp with time zone,
          CONSTRAINT "devices_token_hash_unique" UNIQUE("token_hash")
        );`,
      `CREATE TABLE "grants" (
          "operator_no" text NOT NULL,
          "checkpoint_id" text NOT NULL,
          "colleges" jsonb NOT NULL,
          CONSTRAINT "grants_operator_no_checkpoint_id_pk" PRIMARY KEY("operator_no","checkpoint_id")
        );`,
      `CREATE TABLE "operators" (
          "operator_no" text PRIMARY KEY NOT NULL,
          "name" text NOT NULL,
          "password_hash" text NOT NULL,
          "created_at" timestamp with time zone DEFAULT now() NOT NULL
        );`,
      `CREATE TABLE "ops" (
          "op_id" text PRIMARY KEY NOT NULL,
          "batch_id" text NOT NULL,
          "device_id" text NOT NULL,
          "device_seq" integer NOT NULL,
          "operator_id" text NOT NULL,
          "kind" text NOT NULL,
          "student_no" text NOT NULL,
          "step_id" text NOT NULL,
          "note" text NOT NULL,
          "base_version" integer NOT NULL,
          "client_time" text NOT NULL,
          "outcome" text NOT NULL,
          "applied" boolean NOT NULL,
          "reason" text,
          "result_version" integer,
          "conflict_id" bigint,
          "received_at" timestamp with time zone DEFAULT now() NOT NULL,
          "seq" bigint NOT NULL,
          CONSTRAINT "ops_device_seq_unique" UNIQUE("device_id","device_seq")
        );`,
      `CREATE TABLE "step_states" (
          "batch_id" text NOT NULL,
          "student_no" text NOT NULL,
          "step_id" text NOT NULL,
          "status" text NOT NULL,
          "note" text NOT NULL,
          "version" integer NOT NULL,
          "updated_at" text NOT NULL,
          "updated_by" text NOT NULL,
          "updated_by_name" text NOT NULL,
          "last_op_id" text NOT NULL,
          "seq" bigint NOT NULL,
          CONSTRAINT "step_states_batch_id_student_no_step_id_pk" PRIMARY KEY("batch_id","student_no","step_id")
        );`,
      `CREATE TABLE "students" (
          "batch_id" text NOT NULL,
          "student_no" text NOT NULL,
          "name" text NOT NULL,
          "gender" text NOT NULL,
          "college" text NOT NULL,
          "major" text NOT NULL,
          "class_name" text NOT NULL,
          "dorm" text,
          "id_hash" text NOT NULL,
          "id_masked" text NOT NULL,
          "id_last6" text NOT NULL,
          "is_previous" boolean NOT NULL,
          "flags" jsonb NOT NULL,
          "seq" bigint NOT NULL,
          CONSTRAINT "students_batch_id_student_no_pk" PRIMARY KEY("batch_id","student_no")
        );`,
      `CREATE TABLE "sync_seq" (
          "id" integer PRIMARY KEY NOT NULL,
          "value" bigint NOT NULL
        );`,
      `CREATE TABLE "waivers" (
          "batch_id" text NOT NULL,
          "student_no" text NOT NULL,
          "step_id" text NOT NULL,
          "lifted" boolean NOT NULL,
          "note" text NOT NULL,
          "updated_at" text NOT NULL,
          "updated_by" text NOT NULL,
          "last_op_id" text NOT NULL,
          "seq" bigint NOT NULL,
          CONSTRAINT "waivers_batch_id_student_no_step_id_pk" PRIMARY KEY("batch_id","student_no","step_id")
        );`,
      `ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE no action ON UPDATE no action;`,
      `ALTER TABLE "device_operators" ADD CONSTRAINT "device_operators_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;`,
      `ALTER TABLE "device_operators" ADD CONSTRAINT "device_operators_operator_no_operators_operator_no_fk" FOREIGN KEY ("operator_no") REFERENCES "public"."operators"("operator_no") ON DELETE no action ON UPDATE no action;`,
      `ALTER TABLE "devices" ADD CONSTRAINT "devices_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE no action ON UPDATE no action;`,
      `ALTER TABLE "devices" ADD CONSTRAINT "devices_registered_by_operators_operator_no_fk" FOREIGN KEY ("registered_by") REFERENCES "public"."operators"("operator_no") ON DELETE no action ON UPDATE no action;`,
      `ALTER TABLE "grants" ADD CONSTRAINT "grants_operator_no_operators_operator_no_fk" FOREIGN KEY ("operator_no") REFERENCES "public"."operators"("operator_no") ON DELETE no action ON UPDATE no action;`,
      `ALTER TABLE "students" ADD CONSTRAINT "students_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE no action ON UPDATE no action;`,
      `CREATE INDEX "conflicts_seq_idx" ON "conflicts" USING btree ("batch_id","seq");`,
      `CREATE INDEX "ops_step_idx" ON "ops" USING btree ("batch_id","student_no","step_id");`,
      `CREATE INDEX "ops_device_seq_idx" ON "ops" USING btree ("device_id","seq");`,
      `CREATE INDEX "step_states_seq_idx" ON "step_states" USING btree ("batch_id","seq");`,
      `CREATE INDEX "students_seq_idx" ON "students" USING btree ("batch_id","seq");`,
      `CREATE INDEX "students_college_idx" ON "students" USING btree ("batch_id","college");`,
      `CREATE INDEX "waivers_seq_idx" ON "waivers" USING btree ("batch_id","seq");`,
      `INSERT INTO "sync_seq" ("id", "value") VALUES (1, 0)`,
    ],
  },
  {
    version: 2,
    name: 'waiver versions',
    statements: [`ALTER TABLE "waivers" ADD COLUMN "version" integer DEFAULT 0 NOT NULL`],
  },
  {
    version: 3,
    name: 'withdrawals and roster changes',
    statements: [
      `ALTER TABLE "students" ADD COLUMN "withdrawn_reason" text`,
      `ALTER TABLE "students" ADD COLUMN "withdrawn_at" timestamp with time zone`,
      `ALTER TABLE "students" ADD COLUMN "withdrawn_by" text`,
      `CREATE TABLE "roster_changes" (
          "id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "roster_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
          "batch_id" text NOT NULL,
          "student_no" text NOT NULL,
          "kind" text NOT NULL,
          "from_college" text,
          "to_college" text,
          "reason" text,
          "changed_by" text NOT NULL,
          "changed_at" timestamp with time zone DEFAULT now() NOT NULL,
          "seq" bigint NOT NULL
        );`,
      `CREATE INDEX "roster_changes_student_idx" ON "roster_changes" USING btree ("batch_id","student_no");`,
    ],
  },
  {
    version: 4,
    name: 'server history, seq marks and restore losses',
    statements: [
      `CREATE TABLE "server_history" (
          "id" text PRIMARY KEY NOT NULL,
          "created_at" timestamp with time zone DEFAULT now() NOT NULL,
          "backup_of" timestamp with time zone,
          "restored_at" timestamp with time zone,
          "cause" text NOT NULL
        );`,
      `CREATE TABLE "sync_marks" (
          "seq" bigint PRIMARY KEY NOT NULL,
          "mark" text NOT NULL
        );`,
      `CREATE TABLE "restore_losses" (
          "history_id" text NOT NULL,
          "op_id" text NOT NULL,
          "source_kind" text NOT NULL,
          "source" text NOT NULL,
          "source_name" text NOT NULL,
          "student_no" text NOT NULL,
          "step_id" text NOT NULL,
          "change" text NOT NULL,
          "note" text NOT NULL,
          "changed_at" text NOT NULL,
          "reported_by" text NOT NULL,
          "reported_at" timestamp with time zone DEFAULT now() NOT NULL,
          CONSTRAINT "restore_losses_history_id_op_id_pk" PRIMARY KEY("history_id","op_id")
        );`,
      `INSERT INTO "server_history" ("id", "cause") VALUES (gen_random_uuid()::text, 'created')`,
    ],
  },
  {
    version: 5,
    name: 'counter update releases',
    statements: [
      `CREATE TABLE "update_releases" (
          "version" text PRIMARY KEY NOT NULL,
          "staging_percentage" integer DEFAULT 100 NOT NULL,
          "published_at" timestamp with time zone DEFAULT now() NOT NULL,
          "withdrawn_at" timestamp with time zone
        );`,
      `CREATE TABLE "update_files" (
          "version" text NOT NULL,
          "name" text NOT NULL,
          "size" bigint NOT NULL,
          "sha512" text NOT NULL,
          CONSTRAINT "update_files_version_name_pk" PRIMARY KEY("version","name")
        );`,
      `CREATE TABLE "update_file_chunks" (
          "version" text NOT NULL,
          "name" text NOT NULL,
          "idx" integer NOT NULL,
          "data" bytea NOT NULL,
          CONSTRAINT "update_file_chunks_version_name_idx_pk" PRIMARY KEY("version","name","idx")
        );`,
      `ALTER TABLE "update_files" ADD CONSTRAINT "update_files_version_update_releases_version_fk" FOREIGN KEY ("version") REFERENCES "public"."update_releases"("version") ON DELETE no action ON UPDATE no action;`,
    ],
  },
  {
    version: 6,
    name: 'sign-in failures',
    statements: [
      `CREATE TABLE "sign_in_failures" (
          "key" text PRIMARY KEY NOT NULL,
          "failures" integer NOT NULL,
          "last_failure_at" timestamp with time zone NOT NULL,
          "wait_until" timestamp with time zone NOT NULL
        );`,
    ],
  },
  {
    version: 7,
    name: 'console: roles, sessions, log, disabled operators',
    statements: [
      `ALTER TABLE "operators" ADD COLUMN "disabled" boolean DEFAULT false NOT NULL`,
      `CREATE TABLE "console_roles" (
          "operator_no" text PRIMARY KEY NOT NULL,
          "role" text NOT NULL,
          "scope" jsonb NOT NULL
        );`,
      `CREATE TABLE "console_sessions" (
          "token_hash" text PRIMARY KEY NOT NULL,
          "operator_no" text NOT NULL,
          "created_at" timestamp with time zone DEFAULT now() NOT NULL,
          "expires_at" timestamp with time zone NOT NULL
        );`,
      `CREATE TABLE "console_log" (
          "id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "console_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
          "at" timestamp with time zone DEFAULT now() NOT NULL,
          "by" text NOT NULL,
          "action" text NOT NULL,
          "detail" text NOT NULL
        );`,
      `ALTER TABLE "console_roles" ADD CONSTRAINT "console_roles_operator_no_operators_operator_no_fk" FOREIGN KEY ("operator_no") REFERENCES "public"."operators"("operator_no") ON DELETE no action ON UPDATE no action;`,
      `ALTER TABLE "console_sessions" ADD CONSTRAINT "console_sessions_operator_no_operators_operator_no_fk" FOREIGN KEY ("operator_no") REFERENCES "public"."operators"("operator_no") ON DELETE no action ON UPDATE no action;`,
    ],
  },
  {
    version: 8,
    name: 'store less of the 身份证号: mask keeps the last 4, hash keeps its first hex digit',
    // Both follow from what is stored (mask, hash), so no row loses what the desk searches by;
    // the region code and the digest that confirmed a guess are gone.
    rewritesRows: true,
    statements: [`UPDATE "students" SET "id_masked" = repeat('*', length("id_masked") - 4) || right("id_masked", 4), "id_hash" = left("id_hash", 1)`],
  },
  {
    version: 9,
    name: 'api keys authoritative for the full lists of some of their steps',
    statements: [`ALTER TABLE "api_keys" ADD COLUMN "authoritative_step_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;`],
  },
  {
    version: 10,
    name: 'operator sessions, password versions, registration codes',
    statements: [
      `ALTER TABLE "operators" ADD COLUMN "password_version" integer DEFAULT 1 NOT NULL`,
      `ALTER TABLE "ops" ADD COLUMN "sign_in" text`,
      `CREATE TABLE "operator_sessions" (
          "token_hash" text PRIMARY KEY NOT NULL,
          "device_id" text NOT NULL,
          "operator_no" text NOT NULL,
          "created_at" timestamp with time zone DEFAULT now() NOT NULL,
          "expires_at" timestamp with time zone NOT NULL
        );`,
      `CREATE TABLE "registration_codes" (
          "code_hash" text PRIMARY KEY NOT NULL,
          "created_at" timestamp with time zone DEFAULT now() NOT NULL,
          "expires_at" timestamp with time zone NOT NULL,
          "used_at" timestamp with time zone,
          "device_id" text
        );`,
      `ALTER TABLE "operator_sessions" ADD CONSTRAINT "operator_sessions_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;`,
      `ALTER TABLE "operator_sessions" ADD CONSTRAINT "operator_sessions_operator_no_operators_operator_no_fk" FOREIGN KEY ("operator_no") REFERENCES "public"."operators"("operator_no") ON DELETE no action ON UPDATE no action;`,
      `CREATE INDEX "operator_sessions_device_idx" ON "operator_sessions" USING btree ("device_id","operator_no");`,
    ],
  },
  {
    version: 11,
    name: 'student page: passwords and sessions',
    statements: [
      `CREATE TABLE "student_passwords" (
          "batch_id" text NOT NULL,
          "student_no" text NOT NULL,
          "password_hash" text NOT NULL,
          "set_at" timestamp with time zone DEFAULT now() NOT NULL,
          CONSTRAINT "student_passwords_batch_id_student_no_pk" PRIMARY KEY("batch_id","student_no")
        );`,
      `CREATE TABLE "student_sessions" (
          "token_hash" text PRIMARY KEY NOT NULL,
          "batch_id" text NOT NULL,
          "student_no" text NOT NULL,
          "created_at" timestamp with time zone DEFAULT now() NOT NULL,
          "expires_at" timestamp with time zone NOT NULL
        );`,
      `CREATE INDEX "student_sessions_student_idx" ON "student_sessions" USING btree ("batch_id","student_no");`,
    ],
  },
];
