-- A chatdesk database at schema 1 (as the first SQLite store wrote it), with
-- a conversation, a customer, a number and two messages: the store's
-- migration test opens it with the current chatdesk and checks all is there.
PRAGMA page_size = 1024;
PRAGMA journal_mode = WAL;
BEGIN;
CREATE TABLE conversations (
  number_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  last_inbound INTEGER NOT NULL,
  last_referral INTEGER NOT NULL,
  entry_point_start INTEGER NOT NULL,
  last_outbound INTEGER NOT NULL,
  pair_rate_tat_us INTEGER NOT NULL,
  inbound_count INTEGER NOT NULL,
  outbound_count INTEGER NOT NULL,
  PRIMARY KEY (number_id, customer)
) WITHOUT ROWID;
CREATE TABLE customers (
  business_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  opted_in_at INTEGER,
  opt_in_source TEXT NOT NULL,
  opted_out_at INTEGER,
  blocked INTEGER NOT NULL,
  profile_name TEXT NOT NULL,
  PRIMARY KEY (business_id, customer)
) WITHOUT ROWID;
CREATE TABLE numbers (
  number_id TEXT PRIMARY KEY,
  throughput_tat_us INTEGER NOT NULL,
  service_month INTEGER NOT NULL,
  service_messages INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE reached (
  business_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (business_id, customer)
) WITHOUT ROWID;
CREATE INDEX reached_by_time ON reached (business_id, at);
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY,
  id TEXT,
  correlation_id TEXT,
  number_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  direction INTEGER NOT NULL,
  type TEXT NOT NULL,
  category INTEGER,
  charge INTEGER NOT NULL,
  status INTEGER NOT NULL,
  at INTEGER NOT NULL,
  status_at INTEGER NOT NULL,
  error_code INTEGER,
  error_title TEXT,
  error_details TEXT,
  error_message TEXT
);
CREATE UNIQUE INDEX messages_by_id ON messages (id) WHERE id IS NOT NULL;
CREATE UNIQUE INDEX messages_by_correlation ON messages (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX messages_by_conversation ON messages (number_id, customer);
-- 2026-03-02T09:00:00Z is 1772442000000 ms.
INSERT INTO conversations VALUES ('n1', '393331234567', 1772442000000, -9223372036854775808,
  -9223372036854775808, 1772442060000, 0, 1, 1);
INSERT INTO customers VALUES ('shop', '393331234567', NULL, '', NULL, 0, 'Maria');
INSERT INTO numbers VALUES ('n1', 0, 24314, 1);
INSERT INTO messages (id, correlation_id, number_id, customer, direction, type, category, charge, status, at,
  status_at) VALUES ('wamid.in1', NULL, 'n1', '393331234567', 0, 'text', NULL, 0, 0, 1772442000000, 1772442000000);
INSERT INTO messages (id, correlation_id, number_id, customer, direction, type, category, charge, status, at,
  status_at) VALUES ('wamid.out1', 'c1', 'n1', '393331234567', 1, 'text', NULL, 0, 2, 1772442060000,
  1772442070000);
PRAGMA application_id = 1128551243;
PRAGMA user_version = 1;
COMMIT;
