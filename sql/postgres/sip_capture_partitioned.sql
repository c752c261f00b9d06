-- sip_capture partitioned by day (DB_PARTITION=day), PostgreSQL. The db-writer adds the day partitions.
-- Generated from libs/store/src/ddl.ts (the schema the db-writer creates); do not edit by hand.
-- Regenerate: UPDATE_SQL=1 npx vitest run --project unit libs/store/src/sql-files

CREATE TABLE IF NOT EXISTS "sip_capture" (
  "id" bigserial NOT NULL,
  "date" timestamp without time zone NOT NULL DEFAULT '1900-01-01 00:00:01',
  "micro_ts" bigint NOT NULL DEFAULT 0,
  "method" varchar(50) NOT NULL DEFAULT '',
  "reply_reason" varchar(100) NOT NULL DEFAULT '',
  "ruri" varchar(200) NOT NULL DEFAULT '',
  "ruri_user" varchar(100) NOT NULL DEFAULT '',
  "ruri_domain" varchar(150) NOT NULL DEFAULT '',
  "from_user" varchar(100) NOT NULL DEFAULT '',
  "from_domain" varchar(150) NOT NULL DEFAULT '',
  "from_tag" varchar(64) NOT NULL DEFAULT '',
  "to_user" varchar(100) NOT NULL DEFAULT '',
  "to_domain" varchar(150) NOT NULL DEFAULT '',
  "to_tag" varchar(64) NOT NULL DEFAULT '',
  "pid_user" varchar(100) NOT NULL DEFAULT '',
  "contact_user" varchar(120) NOT NULL DEFAULT '',
  "auth_user" varchar(120) NOT NULL DEFAULT '',
  "callid" varchar(120) NOT NULL DEFAULT '',
  "callid_aleg" varchar(120) NOT NULL DEFAULT '',
  "via_1" varchar(256) NOT NULL DEFAULT '',
  "via_1_branch" varchar(80) NOT NULL DEFAULT '',
  "cseq" varchar(25) NOT NULL DEFAULT '',
  "diversion" varchar(256) NOT NULL DEFAULT '',
  "reason" varchar(200) NOT NULL DEFAULT '',
  "content_type" varchar(256) NOT NULL DEFAULT '',
  "auth" varchar(256) NOT NULL DEFAULT '',
  "user_agent" varchar(256) NOT NULL DEFAULT '',
  "source_ip" varchar(60) NOT NULL DEFAULT '',
  "source_port" integer NOT NULL DEFAULT 0,
  "destination_ip" varchar(60) NOT NULL DEFAULT '',
  "destination_port" integer NOT NULL DEFAULT 0,
  "contact_ip" varchar(60) NOT NULL DEFAULT '',
  "contact_port" integer NOT NULL DEFAULT 0,
  "originator_ip" varchar(60) NOT NULL DEFAULT '',
  "originator_port" integer NOT NULL DEFAULT 0,
  "expires" integer NOT NULL DEFAULT -1,
  "correlation_id" varchar(256) NOT NULL DEFAULT '',
  "custom_field1" varchar(120) NOT NULL DEFAULT '',
  "custom_field2" varchar(120) NOT NULL DEFAULT '',
  "custom_field3" varchar(120) NOT NULL DEFAULT '',
  "proto" integer NOT NULL DEFAULT 0,
  "family" integer NOT NULL DEFAULT 0,
  "rtp_stat" varchar(256) NOT NULL DEFAULT '',
  "type" integer NOT NULL DEFAULT 0,
  "node" varchar(125) NOT NULL DEFAULT '',
  "msg" text NOT NULL,
  "msg_raw" bytea,
  PRIMARY KEY ("id", "date")
) PARTITION BY RANGE ("date");

COMMENT ON COLUMN "sip_capture"."msg_raw" IS 'exact bytes of msg when text cannot hold them (invalid UTF-8 or NUL), else NULL';

CREATE TABLE IF NOT EXISTS "sip_capture_default" PARTITION OF "sip_capture" DEFAULT;

CREATE INDEX IF NOT EXISTS "sip_capture_date_idx" ON "sip_capture" ("date");

CREATE INDEX IF NOT EXISTS "sip_capture_callid_idx" ON "sip_capture" ("callid");

CREATE INDEX IF NOT EXISTS "sip_capture_callid_aleg_idx" ON "sip_capture" ("callid_aleg");

CREATE INDEX IF NOT EXISTS "sip_capture_ruri_user_idx" ON "sip_capture" ("ruri_user");

CREATE INDEX IF NOT EXISTS "sip_capture_from_user_idx" ON "sip_capture" ("from_user");

CREATE INDEX IF NOT EXISTS "sip_capture_to_user_idx" ON "sip_capture" ("to_user");

CREATE INDEX IF NOT EXISTS "sip_capture_pid_user_idx" ON "sip_capture" ("pid_user");

CREATE INDEX IF NOT EXISTS "sip_capture_auth_user_idx" ON "sip_capture" ("auth_user");

CREATE TABLE IF NOT EXISTS "sipcap_offsets" (
  "consumer_group" varchar(255) NOT NULL,
  "topic" varchar(255) NOT NULL,
  "kafka_partition" integer NOT NULL,
  "next_offset" bigint NOT NULL,
  "updated_at" timestamp without time zone NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  "dedup_state" bytea,
  PRIMARY KEY ("consumer_group", "topic", "kafka_partition")
);

ALTER TABLE "sipcap_offsets" ADD COLUMN IF NOT EXISTS "dedup_state" bytea;
