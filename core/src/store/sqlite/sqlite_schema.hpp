// The SQLite schema, as migrations: entry i brings a database from version i to i + 1.
// Never edit a released migration; append a new one and bump SqliteStore::schema_version.
#pragma once

#include <array>
#include <string_view>

namespace weft::sqlite_schema {

inline constexpr std::array<std::string_view, 17> migrations = {
    // 0 -> 1: profiles, identifiers, events, merges.
    R"sql(
CREATE TABLE profiles (
  id          TEXT PRIMARY KEY,
  created_at  INTEGER NOT NULL,          -- microseconds since the epoch, UTC
  updated_at  INTEGER NOT NULL,
  traits      TEXT NOT NULL DEFAULT '{}',
  event_count INTEGER NOT NULL DEFAULT 0,
  merged_into TEXT,                      -- NULL while live; else the live survivor (chains flattened)
  merged_at   INTEGER
) WITHOUT ROWID;
CREATE INDEX profiles_merged_into ON profiles (merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE identifiers (
  type       TEXT NOT NULL,
  value      TEXT NOT NULL,
  profile_id TEXT NOT NULL,              -- always a live profile
  added_at   INTEGER NOT NULL,
  PRIMARY KEY (type, value)
) WITHOUT ROWID;
CREATE INDEX identifiers_profile ON identifiers (profile_id, type);

CREATE TABLE events (
  seq         INTEGER PRIMARY KEY,       -- arrival order; API cursors page by it
  id          TEXT NOT NULL UNIQUE,
  source      TEXT NOT NULL,
  type        TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  profile_id  TEXT,                      -- the live profile it belongs to (moved by merges)
  status      TEXT NOT NULL,             -- processed | failed
  payload     TEXT NOT NULL,
  properties  TEXT NOT NULL,
  trace       TEXT NOT NULL,
  error       TEXT
);
CREATE INDEX events_profile ON events (profile_id, seq) WHERE profile_id IS NOT NULL;
CREATE INDEX events_failed ON events (source, seq) WHERE status = 'failed';

CREATE TABLE merges (
  seq              INTEGER PRIMARY KEY,
  survivor         TEXT NOT NULL,        -- the survivor at the time of the merge
  merged           TEXT NOT NULL,
  identifier_type  TEXT NOT NULL,
  identifier_value TEXT NOT NULL,
  event_id         TEXT NOT NULL,
  at               INTEGER NOT NULL,
  merged_snapshot  TEXT NOT NULL
);
CREATE INDEX merges_survivor ON merges (survivor, seq);
)sql",
    // 1 -> 2: idempotency keys of redelivered webhooks, per source.
    R"sql(
CREATE TABLE idempotency_keys (
  source   TEXT NOT NULL,
  key      TEXT NOT NULL,
  event_id TEXT NOT NULL,                -- the first event stored under this key
  PRIMARY KEY (source, key)
) WITHOUT ROWID;
)sql",
    // 2 -> 3: event counts are derived from the events (a counter cost a random page write
    // per event and could drift).
    R"sql(
ALTER TABLE profiles DROP COLUMN event_count;
)sql",
    // 3 -> 4: the dead letters of all sources in arrival order (the console's list) without a
    // scan of every event: a small index of the failed ones only.
    R"sql(
CREATE INDEX events_failed_seq ON events (seq) WHERE status = 'failed';
)sql",
    // 4 -> 5: an operator's merge has no identifier and no event but a reason (SQLite cannot
    // drop NOT NULL in place: the table is copied); the operations log.
    R"sql(
CREATE TABLE merges_5 (
  seq              INTEGER PRIMARY KEY,
  survivor         TEXT NOT NULL,
  merged           TEXT NOT NULL,
  identifier_type  TEXT,                 -- NULL: an operator's merge
  identifier_value TEXT,
  event_id         TEXT,
  at               INTEGER NOT NULL,
  merged_snapshot  TEXT NOT NULL,
  reason           TEXT
);
INSERT INTO merges_5 (seq, survivor, merged, identifier_type, identifier_value, event_id, at, merged_snapshot)
  SELECT seq, survivor, merged, identifier_type, identifier_value, event_id, at, merged_snapshot FROM merges;
DROP TABLE merges;
ALTER TABLE merges_5 RENAME TO merges;
CREATE INDEX merges_survivor ON merges (survivor, seq);

CREATE TABLE operations (
  seq      INTEGER PRIMARY KEY,
  id       TEXT NOT NULL UNIQUE,
  at       INTEGER NOT NULL,
  kind     TEXT NOT NULL,
  profiles TEXT NOT NULL,                -- JSON array of profile ids
  reason   TEXT,
  result   TEXT NOT NULL                 -- JSON
);
)sql",
    // 5 -> 6: an identifier's row may hold an operator's rules (removed before a time, blocked)
    // and then point at no profile (copied: SQLite cannot drop NOT NULL in place); the
    // identifier each profile was created for.
    R"sql(
CREATE TABLE identifiers_6 (
  type           TEXT NOT NULL,
  value          TEXT NOT NULL,
  profile_id     TEXT,                   -- a live profile, or NULL for a row that only holds rules
  added_at       INTEGER NOT NULL,
  ignored_before INTEGER,                -- removed: ignored in events received before this
  blocked_at     INTEGER,                -- blocked: ignored in every event
  PRIMARY KEY (type, value)
) WITHOUT ROWID;
INSERT INTO identifiers_6 (type, value, profile_id, added_at) SELECT type, value, profile_id, added_at FROM identifiers;
DROP TABLE identifiers;
ALTER TABLE identifiers_6 RENAME TO identifiers;
CREATE INDEX identifiers_profile ON identifiers (profile_id, type);
CREATE INDEX identifiers_blocked ON identifiers (blocked_at) WHERE blocked_at IS NOT NULL;
ALTER TABLE profiles ADD COLUMN created_for_type TEXT;
ALTER TABLE profiles ADD COLUMN created_for_value TEXT;
)sql",
    // 6 -> 7: re-derivation (SPEC 13). A profile row may answer for the profile that holds the
    // identifier it was created for (redirected_at), looked up when read; an operator's merge
    // keeps its trait policy, to be applied again. Profiles made before schema 6 get the
    // identifier they were created for from what is known: a live profile's earliest
    // identifier, a merged profile's first identifier in the snapshot of its merge.
    R"sql(
ALTER TABLE profiles ADD COLUMN redirected_at INTEGER;
CREATE INDEX profiles_redirected ON profiles (created_for_type, created_for_value) WHERE redirected_at IS NOT NULL;
ALTER TABLE merges ADD COLUMN traits_policy TEXT;
UPDATE profiles SET (created_for_type, created_for_value) =
  (SELECT type, value FROM identifiers i WHERE i.profile_id = profiles.id ORDER BY added_at, type, value LIMIT 1)
  WHERE created_for_type IS NULL AND merged_into IS NULL;
CREATE INDEX merges_merged_7 ON merges (merged);
UPDATE profiles SET (created_for_type, created_for_value) =
  (SELECT json_extract(merged_snapshot, '$.identifiers[0].type'), json_extract(merged_snapshot, '$.identifiers[0].value')
   FROM merges m WHERE m.merged = profiles.id ORDER BY seq LIMIT 1)
  WHERE created_for_type IS NULL AND merged_into IS NOT NULL;
DROP INDEX merges_merged_7;
)sql",
    // 7 -> 8: erasure (SPEC 14). An idempotency key outlives its erased event, unlinked (copied:
    // SQLite cannot drop NOT NULL in place); erased identifiers kept only as keyed hashes; the
    // store's secret keys (the suppression key is made by the store when it opens).
    R"sql(
CREATE TABLE idempotency_keys_8 (
  source   TEXT NOT NULL,
  key      TEXT NOT NULL,
  event_id TEXT,                         -- the first event stored under this key; NULL once erased
  PRIMARY KEY (source, key)
) WITHOUT ROWID;
INSERT INTO idempotency_keys_8 (source, key, event_id) SELECT source, key, event_id FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_8 RENAME TO idempotency_keys;
CREATE TABLE suppressed (
  hash TEXT PRIMARY KEY,                 -- hex HMAC-SHA256 of "type:value" under the suppression key
  at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE store_keys (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL                    -- hex; never shown or logged
) WITHOUT ROWID;
)sql",
    // 8 -> 9: traces name their workflow's shape by key instead of every node, plugin and port
    // (stored_trace.hpp); rows written before keep their JSON arrays.
    R"sql(
CREATE TABLE trace_shapes (
  key   TEXT PRIMARY KEY,                -- 16 hex digits
  nodes TEXT NOT NULL                    -- JSON: [{"node","plugin","ports"}]
) WITHOUT ROWID;
)sql",
    // 9 -> 10: an erasure finds the keys of its events by this index instead of a scan of every
    // key on the writer's thread (~350 ns a key: 50 ms at 150,000 keys, ~1 s at 3,000,000).
    // Event ids are time-ordered (UUIDv7), so it grows at its end (+~100 bytes written per event
    // by weft ingest); partial, so that unlinking a key only removes its entry.
    R"sql(
CREATE INDEX idempotency_keys_event ON idempotency_keys (event_id) WHERE event_id IS NOT NULL;
)sql",
    // 10 -> 11: profile and event ids that are UUIDs stored as their 16 bytes instead of 36
    // characters (SqliteStatement::bind_id): the indexes that take a random insert per event
    // (events_profile, identifiers, profiles) shrink by a third, and so does what a back-fill
    // rewrites of them per transaction. weft_id() is defined by the connection that migrates.
    R"sql(
UPDATE profiles SET id = weft_id(id), merged_into = weft_id(merged_into);
UPDATE identifiers SET profile_id = weft_id(profile_id) WHERE profile_id IS NOT NULL;
UPDATE events SET id = weft_id(id), profile_id = weft_id(profile_id);
UPDATE merges SET survivor = weft_id(survivor), merged = weft_id(merged), event_id = weft_id(event_id);
UPDATE idempotency_keys SET event_id = weft_id(event_id) WHERE event_id IS NOT NULL;
)sql",
    // 11 -> 12: erasure takes everything of the person (SPEC 14). A failed event keeps the
    // profile it was run for (owner); a removed or blocked identifier the profile it was taken
    // from (taken_from); an event with no profile keeps the keys of its string values
    // (payload_values.hpp), filled for the events stored before by the store's open.
    R"sql(
ALTER TABLE events ADD COLUMN owner BLOB;
CREATE INDEX events_owner ON events (owner) WHERE owner IS NOT NULL;
ALTER TABLE identifiers ADD COLUMN taken_from BLOB;
CREATE INDEX identifiers_taken_from ON identifiers (taken_from) WHERE taken_from IS NOT NULL;
CREATE TABLE event_values (
  seq  INTEGER PRIMARY KEY,              -- events.seq of an event with no profile
  keys BLOB NOT NULL                     -- payload_values::ValueKeys::of_payload
);
CREATE TABLE event_values_pending (seq INTEGER PRIMARY KEY);
INSERT INTO event_values_pending (seq) SELECT seq FROM events WHERE profile_id IS NULL;
)sql",
    // 12 -> 13: the outbox of destinations (SPEC 17, outbox.hpp): messages, their attempts, and
    // what is kept of each destination (disabled, failing since). The pending ones are found
    // by destination in order, and by profile for per-profile order and coalescing.
    R"sql(
CREATE TABLE messages (
  seq         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,      -- the webhook-id
  destination TEXT NOT NULL,
  type        TEXT NOT NULL,
  profile_id  BLOB,
  created_at  INTEGER NOT NULL,
  data        TEXT NOT NULL,
  status      TEXT NOT NULL,             -- pending | failed | delivered
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER NOT NULL,          -- pending: due from then
  lease_until INTEGER                    -- claimed by a dispatcher until then
);
CREATE INDEX messages_pending ON messages (destination, seq) WHERE status = 'pending';
CREATE INDEX messages_pending_profile ON messages (profile_id, destination, seq) WHERE status = 'pending';
CREATE INDEX messages_settled ON messages (destination, status, seq) WHERE status <> 'pending';
CREATE INDEX messages_profile ON messages (profile_id);
CREATE TABLE message_attempts (
  seq         INTEGER PRIMARY KEY,
  message     INTEGER NOT NULL,          -- messages.seq
  at          INTEGER NOT NULL,
  http_status INTEGER,
  error       TEXT,
  ms          INTEGER NOT NULL,
  response    TEXT NOT NULL
);
CREATE INDEX message_attempts_message ON message_attempts (message);
CREATE TABLE destinations (
  id              TEXT PRIMARY KEY,
  disabled_at     INTEGER,
  disabled_reason TEXT,
  failing_since   INTEGER,
  last_error_at   INTEGER,
  last_error      TEXT
) WITHOUT ROWID;
)sql",
    // 13 -> 14: one index by profile instead of two: per-profile order and coalescing read its
    // pending entries, erasure all of them. A message's insert puts one entry at a random place
    // (profile ids are not in message order) instead of two.
    R"sql(
DROP INDEX messages_pending_profile;
DROP INDEX messages_profile;
CREATE INDEX messages_profile ON messages (profile_id, destination, status, seq);
)sql",
    // 14 -> 15: listing and search of profiles (SPEC 8, search_terms.hpp). Each identifier keeps
    // its value as a search term (also in identifiers_profile, so that a profile's own terms
    // are tested from the index alone); trait_terms holds the terms of each live profile's traits;
    // profiles_recent orders the live profiles by their last update. A deleted profile takes its
    // terms with it. weft_search_term() and weft_trait_terms() are defined by the connection.
    R"sql(
ALTER TABLE identifiers ADD COLUMN search TEXT;
UPDATE identifiers SET search = weft_search_term(value);
CREATE INDEX identifiers_search ON identifiers (search) WHERE profile_id IS NOT NULL;
DROP INDEX identifiers_profile;
CREATE INDEX identifiers_profile ON identifiers (profile_id, type, search);
CREATE TABLE trait_terms (
  profile_id BLOB NOT NULL,
  term       TEXT NOT NULL,
  PRIMARY KEY (profile_id, term)
) WITHOUT ROWID;
CREATE INDEX trait_terms_term ON trait_terms (term);
INSERT INTO trait_terms (profile_id, term) SELECT p.id, t.value FROM profiles p, json_each(weft_trait_terms(p.traits)) t
  WHERE p.merged_into IS NULL AND p.redirected_at IS NULL;
CREATE INDEX profiles_recent ON profiles (updated_at, id) WHERE merged_into IS NULL AND redirected_at IS NULL;
CREATE TRIGGER profiles_deleted_terms AFTER DELETE ON profiles BEGIN DELETE FROM trait_terms WHERE profile_id = OLD.id; END;
)sql",
    // 15 -> 16: per-profile order without an index entry that moves when a message settles.
    // A message keeps the seq of the message it waits for (after_seq: the newest earlier pending
    // message of its profile at its destination, else the newest earlier one), so a claim tests
    // one row by its key, and settling touches no index keyed by profile (a random page per
    // message, logged again at every settle). messages_profile loses its status; coalescing
    // finds a waiting profile.updated in a partial index of its own.
    R"sql(
ALTER TABLE messages ADD COLUMN after_seq INTEGER;
UPDATE messages SET after_seq = coalesce(
  (SELECT max(e.seq) FROM messages e WHERE e.profile_id = messages.profile_id AND e.destination = messages.destination
     AND e.status = 'pending' AND e.seq < messages.seq),
  (SELECT max(e.seq) FROM messages e WHERE e.profile_id = messages.profile_id AND e.destination = messages.destination
     AND e.seq < messages.seq))
  WHERE profile_id IS NOT NULL;
DROP INDEX messages_profile;
CREATE INDEX messages_profile ON messages (profile_id, destination, seq);
CREATE INDEX messages_updates_waiting ON messages (profile_id, destination)
  WHERE status = 'pending' AND type = 'profile.updated' AND attempts = 0;
)sql",
    // 16 -> 17: identifiers are searched through their key (type, value), a seek for each ASCII
    // case variant of the prefix that exists (identifier_key_ranges.hpp); the search index keeps
    // only the values whose term is not their ASCII lower case (non-ASCII capitals, over 200
    // characters). A new identifier no longer writes a random page of it. The listing's index
    // holds the columns of its own condition, so that walking it reads no profile row (SQLite
    // 3.40 reads the row to test a partial index's condition otherwise: a random page a profile).
    R"sql(
DROP INDEX identifiers_search;
CREATE INDEX identifiers_search ON identifiers (search) WHERE profile_id IS NOT NULL AND search <> lower(value);
DROP INDEX profiles_recent;
CREATE INDEX profiles_recent ON profiles (updated_at, id, merged_into, redirected_at) WHERE merged_into IS NULL AND redirected_at IS NULL;
)sql",
};

}  // namespace weft::sqlite_schema
