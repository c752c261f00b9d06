-- Kamailio's rtcp_capture, report_capture and logs_capture tables (RTCP, QoS reports, logs), PostgreSQL.
-- Generated from libs/store/src/ddl.ts (the schema the db-writer creates); do not edit by hand.
-- Regenerate: UPDATE_SQL=1 npx vitest run --project unit libs/store/src/sql-files

CREATE TABLE IF NOT EXISTS "rtcp_capture" (
  "id" bigserial NOT NULL,
  "date" timestamp without time zone NOT NULL DEFAULT '1900-01-01 00:00:01',
  "micro_ts" bigint NOT NULL DEFAULT 0,
  "correlation_id" varchar(256) NOT NULL DEFAULT '',
  "source_ip" varchar(60) NOT NULL DEFAULT '',
  "source_port" integer NOT NULL DEFAULT 0,
  "destination_ip" varchar(60) NOT NULL DEFAULT '',
  "destination_port" integer NOT NULL DEFAULT 0,
  "proto" integer NOT NULL DEFAULT 0,
  "family" integer NOT NULL DEFAULT 0,
  "type" integer NOT NULL DEFAULT 0,
  "node" varchar(125) NOT NULL DEFAULT '',
  "msg" text NOT NULL,
  PRIMARY KEY ("id", "date")
);

CREATE INDEX IF NOT EXISTS "rtcp_capture_date_idx" ON "rtcp_capture" ("date");

CREATE INDEX IF NOT EXISTS "rtcp_capture_correlation_id_idx" ON "rtcp_capture" ("correlation_id");

CREATE TABLE IF NOT EXISTS "report_capture" (
  "id" bigserial NOT NULL,
  "date" timestamp without time zone NOT NULL DEFAULT '1900-01-01 00:00:01',
  "micro_ts" bigint NOT NULL DEFAULT 0,
  "correlation_id" varchar(256) NOT NULL DEFAULT '',
  "source_ip" varchar(60) NOT NULL DEFAULT '',
  "source_port" integer NOT NULL DEFAULT 0,
  "destination_ip" varchar(60) NOT NULL DEFAULT '',
  "destination_port" integer NOT NULL DEFAULT 0,
  "proto" integer NOT NULL DEFAULT 0,
  "family" integer NOT NULL DEFAULT 0,
  "type" integer NOT NULL DEFAULT 0,
  "node" varchar(125) NOT NULL DEFAULT '',
  "msg" text NOT NULL,
  PRIMARY KEY ("id", "date")
);

CREATE INDEX IF NOT EXISTS "report_capture_date_idx" ON "report_capture" ("date");

CREATE INDEX IF NOT EXISTS "report_capture_correlation_id_idx" ON "report_capture" ("correlation_id");

CREATE TABLE IF NOT EXISTS "logs_capture" (
  "id" bigserial NOT NULL,
  "date" timestamp without time zone NOT NULL DEFAULT '1900-01-01 00:00:01',
  "micro_ts" bigint NOT NULL DEFAULT 0,
  "correlation_id" varchar(256) NOT NULL DEFAULT '',
  "source_ip" varchar(60) NOT NULL DEFAULT '',
  "source_port" integer NOT NULL DEFAULT 0,
  "destination_ip" varchar(60) NOT NULL DEFAULT '',
  "destination_port" integer NOT NULL DEFAULT 0,
  "proto" integer NOT NULL DEFAULT 0,
  "family" integer NOT NULL DEFAULT 0,
  "type" integer NOT NULL DEFAULT 0,
  "node" varchar(125) NOT NULL DEFAULT '',
  "msg" text NOT NULL,
  PRIMARY KEY ("id", "date")
);

CREATE INDEX IF NOT EXISTS "logs_capture_date_idx" ON "logs_capture" ("date");

CREATE INDEX IF NOT EXISTS "logs_capture_correlation_id_idx" ON "logs_capture" ("correlation_id");
