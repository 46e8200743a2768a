// The SQL the PostgreSQL store runs: its schema's migrations, and its
// statements by number, prepared on every connection as "chatdesk_<n>". Only
// parameters ($1, $2, ...) carry values. Internal: shared by the store, its
// tests (which build a schema of an older version) and its benchmark's bare
// loop (bench/bench_store.cpp), so the loop runs exactly the store's statements.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

namespace chatdesk::detail::postgres {

#define CHATDESK_MESSAGE_COLUMNS                                                                        \
  "id, correlation_id, number_id, customer, direction, type, category, charge, status, at, status_at, " \
  "error_code, error_title, error_details, error_message"

/// Journal entries kept in a message's row (schema 4): its `journal` column
/// holds events separated by ';', each numbered from the journal table's
/// sequence, so rows and table read back in one order:
///   <seq>,R,<referral 0|1>                                  (the message was received)
///   <seq>,S,<from>,<status>,<status time - at, ms>,<error code|->,<platform id 0|1>
/// The store writes an event only when the desk's entry is rebuilt from it
/// and the row exactly; any other entry goes to the journal table.
#define CHATDESK_NEXT_EVENT(entry) \
  "journal = COALESCE(journal || ';', '') || nextval('journal_seq_seq')::text || " entry
// (An event that does not read as one still reads: the desk refuses it by its number.)
#define CHATDESK_EVENT_AT                                                                                    \
  "at + CASE WHEN ev ~ '^[0-9]+,S,[0-9]+,[0-9]+,-?[0-9]{1,15},' THEN split_part(ev, ',', 5)::bigint ELSE 0 " \
  "END"
#define CHATDESK_KEPT_ENTRIES                                                                               \
  "SELECT " CHATDESK_MESSAGE_COLUMNS                                                                        \
  ", CASE WHEN split_part(ev, ',', 1) ~ '^[0-9]{1,18}$' THEN split_part(ev, ',', 1)::bigint ELSE 0 END AS " \
  "ev_seq, " CHATDESK_EVENT_AT                                                                              \
  " AS ev_at, ev FROM messages, unnest(string_to_array(journal, ';')) AS ev WHERE journal IS NOT NULL"

/// The prepared statements, by number: prepared on every connection as
/// "chatdesk_<n>". Only parameters ($1, $2, ...) carry values.
enum class q : std::uint8_t {
  lock_conversation,
  lock_business,
  load_conversation,
  save_conversation,
  count_conversations,
  load_customer,
  save_customer,
  load_number,
  save_number,
  count_reached,
  reached_at,
  record_reached,
  add_message,
  find_message,
  update_by_correlation,
  update_by_id,
  list_messages,
  keep_inbound,
  keep_outbound,
  transcript_all,
  transcript_last,
  purge_content,
  purge_messages,
  purge_reached,
  save_business,
  load_businesses,
  windows_closing,
  load_mark,
  save_mark,
  append_journal,
  read_journal,
  trim_journal,
  load_record,
  save_record,
  erase_record,
  scan_records,
  add_message_journaled,
  update_by_correlation_journaled,
  update_by_id_journaled,
  purged_entries,
  move_entry,
  trim_kept_entries,
  mark_trimmed,
  count,
};

/// The schema, one step per version: migrations[v] takes a schema at version
/// v to v + 1. Steps are never edited once released; a new version appends one.
/// Times are milliseconds since 1970 (UTC), as in the SQLite store.
inline constexpr const char* migrations[] = {
    // 0 -> 1: the desk's state, transcripts, businesses, marks and the journal.
    R"sql(
CREATE TABLE conversations (
  number_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  last_inbound BIGINT NOT NULL,
  last_referral BIGINT NOT NULL,
  entry_point_start BIGINT NOT NULL,
  last_outbound BIGINT NOT NULL,
  pair_rate_tat_us BIGINT NOT NULL,
  inbound_count BIGINT NOT NULL,
  outbound_count BIGINT NOT NULL,
  PRIMARY KEY (number_id, customer)
);
CREATE INDEX conversations_by_window ON conversations (last_inbound);
CREATE TABLE customers (
  business_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  opted_in_at BIGINT,
  opt_in_source TEXT NOT NULL,
  opted_out_at BIGINT,
  blocked BOOLEAN NOT NULL,
  profile_name TEXT NOT NULL,
  PRIMARY KEY (business_id, customer)
);
CREATE TABLE numbers (
  number_id TEXT PRIMARY KEY,
  throughput_tat_us BIGINT NOT NULL,
  service_month BIGINT NOT NULL,
  service_messages BIGINT NOT NULL
);
CREATE TABLE reached (
  business_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (business_id, customer)
);
CREATE INDEX reached_by_time ON reached (business_id, at);
CREATE TABLE messages (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT UNIQUE,
  correlation_id TEXT UNIQUE,
  number_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  direction SMALLINT NOT NULL,
  type TEXT NOT NULL,
  category SMALLINT,
  charge SMALLINT NOT NULL,
  status SMALLINT NOT NULL,
  at BIGINT NOT NULL,
  status_at BIGINT NOT NULL,
  error_code BIGINT,
  error_title TEXT,
  error_details TEXT,
  error_message TEXT,
  body TEXT
);
CREATE INDEX messages_by_conversation ON messages (number_id, customer, seq);
-- Purges find old rows by time: rows are added roughly in time order, so a
-- block-range index answers that for a few bytes instead of a B-tree's ~30 a row.
CREATE INDEX messages_by_time ON messages USING brin (at);
CREATE TABLE businesses (
  id TEXT PRIMARY KEY,
  definition TEXT NOT NULL
);
CREATE TABLE marks (
  name TEXT PRIMARY KEY,
  at BIGINT NOT NULL
);
-- The journal is read once at start-up and trimmed now and then, both by
-- time: no B-tree, only a block-range index (entries come in time order).
CREATE TABLE journal (
  seq BIGINT GENERATED ALWAYS AS IDENTITY,
  at BIGINT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX journal_by_time ON journal USING brin (at);
)sql",
    // 1 -> 2: records of the modules above the desk (live support), keys in byte order.
    R"sql(
CREATE TABLE records (
  kind TEXT NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, key)
);
)sql",
    // 2 -> 3: smaller message indexes. The conversation's index becomes the
    // primary key (seq alone had an index nobody searched by), and the ids'
    // unique indexes leave out the rows without one (inbound messages have
    // no correlation id; outbound ones no platform id until it is known).
    R"sql(
ALTER TABLE messages DROP CONSTRAINT messages_pkey;
DROP INDEX messages_by_conversation;
ALTER TABLE messages ADD CONSTRAINT messages_pkey PRIMARY KEY (number_id, customer, seq);
ALTER TABLE messages DROP CONSTRAINT messages_id_key;
ALTER TABLE messages DROP CONSTRAINT messages_correlation_id_key;
CREATE UNIQUE INDEX messages_by_id ON messages (id) WHERE id IS NOT NULL;
CREATE UNIQUE INDEX messages_by_correlation ON messages (correlation_id) WHERE correlation_id IS NOT NULL;
)sql",
    // 3 -> 4: journal entries about a message kept in its row, as short
    // events numbered from the journal's own sequence (see CHATDESK_KEPT_ENTRIES).
    R"sql(
ALTER TABLE messages ADD COLUMN journal TEXT;
)sql",
};
inline constexpr const char* statements[] = {
    // Transaction-scoped advisory locks: released by COMMIT or ROLLBACK, and
    // by the server when a connection dies. Conversation keys and business
    // keys are hashed apart ('c' / 'b'); a step takes its conversation's lock
    // first, then its business's, so two steps never wait on each other in a circle.
    "SELECT pg_advisory_xact_lock(hashtextextended('c' || $1 || chr(31) || $2, 0))",
    "SELECT pg_advisory_xact_lock(hashtextextended('c' || $1 || chr(31) || $2, 0)), "
    "pg_advisory_xact_lock(hashtextextended('b' || $1, 0))",
    "SELECT last_inbound, last_referral, entry_point_start, last_outbound, pair_rate_tat_us, inbound_count, "
    "outbound_count FROM conversations WHERE number_id = $1 AND customer = $2",
    "INSERT INTO conversations (number_id, customer, last_inbound, last_referral, entry_point_start, "
    "last_outbound, pair_rate_tat_us, inbound_count, outbound_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9) ON CONFLICT (number_id, customer) DO UPDATE SET last_inbound = excluded.last_inbound, "
    "last_referral = excluded.last_referral, entry_point_start = excluded.entry_point_start, "
    "last_outbound = excluded.last_outbound, pair_rate_tat_us = excluded.pair_rate_tat_us, "
    "inbound_count = excluded.inbound_count, outbound_count = excluded.outbound_count",
    "SELECT count(*) FROM conversations",
    "SELECT opted_in_at, opt_in_source, opted_out_at, blocked, profile_name FROM customers "
    "WHERE business_id = $1 AND customer = $2",
    "INSERT INTO customers (business_id, customer, opted_in_at, opt_in_source, opted_out_at, blocked, "
    "profile_name) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (business_id, customer) DO UPDATE SET "
    "opted_in_at = excluded.opted_in_at, opt_in_source = excluded.opt_in_source, "
    "opted_out_at = excluded.opted_out_at, blocked = excluded.blocked, profile_name = excluded.profile_name",
    "SELECT throughput_tat_us, service_month, service_messages FROM numbers WHERE number_id = $1",
    "INSERT INTO numbers (number_id, throughput_tat_us, service_month, service_messages) VALUES ($1, $2, $3, "
    "$4) ON CONFLICT (number_id) DO UPDATE SET throughput_tat_us = excluded.throughput_tat_us, "
    "service_month = excluded.service_month, service_messages = excluded.service_messages",
    "SELECT count(*) FROM reached WHERE business_id = $1 AND at >= $2",
    "SELECT at FROM reached WHERE business_id = $1 AND customer = $2",
    "INSERT INTO reached (business_id, customer, at) VALUES ($1, $2, $3) ON CONFLICT (business_id, customer) "
    "DO UPDATE SET at = GREATEST(reached.at, excluded.at)",
    // Either unique id already known: nothing inserted (0 rows), as the interface asks.
    "INSERT INTO messages (" CHATDESK_MESSAGE_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING",
    // By platform id first, else by correlation id: one round trip.
    "SELECT * FROM (SELECT " CHATDESK_MESSAGE_COLUMNS
    ", 0 AS preference FROM messages WHERE id = $1 "
    "UNION ALL SELECT " CHATDESK_MESSAGE_COLUMNS
    ", 1 FROM messages WHERE correlation_id = $1) AS found "
    "ORDER BY preference LIMIT 1",
    // A record's key, direction, type and charge are fixed when it is added;
    // later steps change its status, its error and (once) its platform id.
    "UPDATE messages SET status = $2, status_at = $3, error_code = $4, error_title = $5, error_details = $6, "
    "error_message = $7, id = COALESCE(id, $8) WHERE correlation_id = $1",
    "UPDATE messages SET status = $2, status_at = $3, error_code = $4, error_title = $5, error_details = $6, "
    "error_message = $7 WHERE id = $1",
    "SELECT " CHATDESK_MESSAGE_COLUMNS " FROM messages WHERE number_id = $1 AND customer = $2 ORDER BY seq",
    "UPDATE messages SET body = $2 WHERE id = $1",
    "UPDATE messages SET body = $2 WHERE correlation_id = $1",
    "SELECT " CHATDESK_MESSAGE_COLUMNS
    ", body FROM messages WHERE number_id = $1 AND customer = $2 ORDER BY seq",
    "SELECT * FROM (SELECT " CHATDESK_MESSAGE_COLUMNS
    ", body, seq FROM messages WHERE number_id = $1 AND customer = $2 ORDER BY seq DESC LIMIT $3) AS last "
    "ORDER BY seq",
    "UPDATE messages SET body = NULL WHERE at < $1 AND body IS NOT NULL",
    "DELETE FROM messages WHERE at < $1",
    "DELETE FROM reached WHERE at < $1",
    "INSERT INTO businesses (id, definition) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET definition = "
    "excluded.definition",
    "SELECT id, definition FROM businesses ORDER BY id",
    "SELECT number_id, customer, last_inbound FROM conversations WHERE last_inbound > $1 AND last_inbound <= "
    "$2",
    "SELECT at FROM marks WHERE name = $1",
    "INSERT INTO marks (name, at) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET at = excluded.at",
    "INSERT INTO journal (at, data) VALUES ($1, $2)",
    // In the order added (a sequence's order; see docs/store.md on concurrent
    // steps): the table's entries and those kept in rows (not trimmed) with
    // what the desk's line is rebuilt from, merged.
    "SELECT seq, at, data, NULL AS ev, NULL AS id, NULL AS correlation_id, NULL AS number_id, NULL AS "
    "customer, "
    "NULL AS direction, NULL AS type, NULL AS category, NULL AS charge, NULL AS sent_at FROM journal WHERE "
    "at "
    ">= $1 UNION ALL SELECT ev_seq, ev_at, NULL, ev, id, correlation_id, number_id, customer, direction, "
    "type, "
    "category, charge, at FROM (" CHATDESK_KEPT_ENTRIES
    ") AS kept WHERE ev_at >= GREATEST($1, COALESCE((SELECT "
    "at FROM marks WHERE name = 'store.journal_trimmed'), $1)) ORDER BY 1",
    "DELETE FROM journal WHERE at < $1",
    "SELECT value FROM records WHERE kind = $1 AND key = $2",
    "INSERT INTO records (kind, key, value) VALUES ($1, $2, $3) ON CONFLICT (kind, key) DO UPDATE SET value "
    "= "
    "excluded.value",
    "DELETE FROM records WHERE kind = $1 AND key = $2",
    // A prefix as a range of keys (byte order): from the prefix to the prefix and U+10FFFF.
    "SELECT key, value FROM records WHERE kind = $1 AND key >= $2 AND key < $3 ORDER BY key",
    // add_message with the message's journal entry kept in its row.
    "INSERT INTO messages (" CHATDESK_MESSAGE_COLUMNS
    ", journal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
    "nextval('journal_seq_seq')::text || $16) ON CONFLICT DO NOTHING",
    // update_by_correlation and update_by_id with the change's journal entry.
    "UPDATE messages SET status = $2, status_at = $3, error_code = $4, error_title = $5, error_details = $6, "
    "error_message = $7, id = COALESCE(id, $8), " CHATDESK_NEXT_EVENT("$9") " WHERE correlation_id = $1",
    "UPDATE messages SET status = $2, status_at = $3, error_code = $4, error_title = $5, error_details = $6, "
    "error_message = $7, " CHATDESK_NEXT_EVENT("$8") " WHERE id = $1",
    // Those of the rows a purge forgets (older than $1), not trimmed.
    "SELECT * FROM (" CHATDESK_KEPT_ENTRIES
    " AND at < $1) AS kept WHERE ev_at >= COALESCE((SELECT at FROM "
    "marks WHERE name = 'store.journal_trimmed'), ev_at) ORDER BY ev_seq",
    // ... which move to the journal's table with their numbers.
    "INSERT INTO journal (seq, at, data) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3)",
    // Rows whose entries are all older than $1 forget them.
    "UPDATE messages SET journal = NULL WHERE journal IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
    "unnest(string_to_array(journal, ';')) AS ev WHERE " CHATDESK_EVENT_AT " >= $1)",
    "INSERT INTO marks (name, at) VALUES ('store.journal_trimmed', $1) ON CONFLICT (name) DO UPDATE SET at = "
    "GREATEST(marks.at, excluded.at)",
};
static_assert(std::size(statements) == static_cast<std::size_t>(q::count));

#undef CHATDESK_MESSAGE_COLUMNS
#undef CHATDESK_NEXT_EVENT
#undef CHATDESK_EVENT_AT
#undef CHATDESK_KEPT_ENTRIES

}  // namespace chatdesk::detail::postgres
