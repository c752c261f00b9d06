-- Kamailio's rtcp_capture, report_capture and logs_capture tables (RTCP, QoS reports, logs), MySQL / MariaDB.
-- Generated from libs/store/src/ddl.ts (the schema the db-writer creates); do not edit by hand.
-- Regenerate: UPDATE_SQL=1 npx vitest run --project unit libs/store/src/sql-files

CREATE TABLE IF NOT EXISTS `rtcp_capture` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `date` datetime NOT NULL DEFAULT '1900-01-01 00:00:01',
  `micro_ts` bigint NOT NULL DEFAULT 0,
  `correlation_id` varchar(256) NOT NULL DEFAULT '',
  `source_ip` varchar(60) NOT NULL DEFAULT '',
  `source_port` int NOT NULL DEFAULT 0,
  `destination_ip` varchar(60) NOT NULL DEFAULT '',
  `destination_port` int NOT NULL DEFAULT 0,
  `proto` int NOT NULL DEFAULT 0,
  `family` int NOT NULL DEFAULT 0,
  `type` int NOT NULL DEFAULT 0,
  `node` varchar(125) NOT NULL DEFAULT '',
  `msg` varchar(4500) NOT NULL,
  PRIMARY KEY (`id`, `date`),
  KEY `date_idx` (`date`),
  KEY `correlation_id_idx` (`correlation_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS `report_capture` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `date` datetime NOT NULL DEFAULT '1900-01-01 00:00:01',
  `micro_ts` bigint NOT NULL DEFAULT 0,
  `correlation_id` varchar(256) NOT NULL DEFAULT '',
  `source_ip` varchar(60) NOT NULL DEFAULT '',
  `source_port` int NOT NULL DEFAULT 0,
  `destination_ip` varchar(60) NOT NULL DEFAULT '',
  `destination_port` int NOT NULL DEFAULT 0,
  `proto` int NOT NULL DEFAULT 0,
  `family` int NOT NULL DEFAULT 0,
  `type` int NOT NULL DEFAULT 0,
  `node` varchar(125) NOT NULL DEFAULT '',
  `msg` varchar(4500) NOT NULL,
  PRIMARY KEY (`id`, `date`),
  KEY `date_idx` (`date`),
  KEY `correlation_id_idx` (`correlation_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS `logs_capture` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `date` datetime NOT NULL DEFAULT '1900-01-01 00:00:01',
  `micro_ts` bigint NOT NULL DEFAULT 0,
  `correlation_id` varchar(256) NOT NULL DEFAULT '',
  `source_ip` varchar(60) NOT NULL DEFAULT '',
  `source_port` int NOT NULL DEFAULT 0,
  `destination_ip` varchar(60) NOT NULL DEFAULT '',
  `destination_port` int NOT NULL DEFAULT 0,
  `proto` int NOT NULL DEFAULT 0,
  `family` int NOT NULL DEFAULT 0,
  `type` int NOT NULL DEFAULT 0,
  `node` varchar(125) NOT NULL DEFAULT '',
  `msg` varchar(4500) NOT NULL,
  PRIMARY KEY (`id`, `date`),
  KEY `date_idx` (`date`),
  KEY `correlation_id_idx` (`correlation_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
