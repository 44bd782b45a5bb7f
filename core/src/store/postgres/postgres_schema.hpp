// The PostgreSQL schema, as migrations: entry i brings a database from version i to i + 1.
// Never edit a released migration; append one and bump PostgresStore::schema_version.
// Every table is keyed by profile or identifier (or event id), so the schema can be
// distributed (Citus) without changes; see docs/operations.md.
#pragma once

#include <array>
#include <string_view>

namespace weft::postgres_schema {

inline constexpr std::array<std::string_view, 12> migrations = {
    // 0 -> 1: profiles, identifiers, events, merges, idempotency keys.
    R"sql(
CREATE TABLE profiles (
  id          TEXT PRIMARY KEY,
  created_at  BIGINT NOT NULL,           -- microseconds since the epoch, UTC
  updated_at  BIGINT NOT NULL,
  traits      TEXT NOT NULL DEFAULT '{}',
  merged_into TEXT,                      -- NULL while live; else the live survivor (chains flattened)
  merged_at   BIGINT
);
CREATE INDEX profiles_merged_into ON profiles (merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE identifiers (
  type       TEXT NOT NULL,
  value      TEXT NOT NULL,
  profile_id TEXT NOT NULL,              -- always a live profile
  added_at   BIGINT NOT NULL,
  PRIMARY KEY (type, value)
);
CREATE INDEX identifiers_profile ON identifiers (profile_id, type);

CREATE TABLE events (
  seq         BIGINT GENERATED ALWAYS AS IDENTITY,
  id          TEXT PRIMARY KEY,
  source      TEXT NOT NULL,
  type        TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  profile_id  TEXT,
  status      TEXT NOT NULL,
  payload     TEXT NOT NULL,
  properties  TEXT NOT NULL,
  trace       TEXT NOT NULL,
  error       TEXT
);
CREATE INDEX events_profile ON events (profile_id, seq) WHERE profile_id IS NOT NULL;
CREATE INDEX events_failed ON events (source, seq) WHERE status = 'failed';

CREATE TABLE merges (
  seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  survivor         TEXT NOT NULL,
  merged           TEXT NOT NULL,
  identifier_type  TEXT NOT NULL,
  identifier_value TEXT NOT NULL,
  event_id         TEXT NOT NULL,
  at               BIGINT NOT NULL,
  merged_snapshot  TEXT NOT NULL
);
CREATE INDEX merges_survivor ON merges (survivor, seq);

CREATE TABLE idempotency_keys (
  source   TEXT NOT NULL,
  key      TEXT NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (source, key)
);
)sql",
    // 1 -> 2: the dead letters of all sources in arrival order, from an index of failed events only.
    R"sql(
CREATE INDEX events_failed_seq ON events (seq) WHERE status = 'failed';
)sql",
    // 2 -> 3: an operator's merge has no identifier and no event but a reason; the operations log.
    R"sql(
ALTER TABLE merges ALTER COLUMN identifier_type DROP NOT NULL,
                   ALTER COLUMN identifier_value DROP NOT NULL,
                   ALTER COLUMN event_id DROP NOT NULL,
                   ADD COLUMN reason TEXT;
CREATE TABLE operations (
  seq      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id       TEXT NOT NULL UNIQUE,
  at       BIGINT NOT NULL,
  kind     TEXT NOT NULL,
  profiles TEXT NOT NULL,
  reason   TEXT,
  result   TEXT NOT NULL
);
)sql",
    // 3 -> 4: an identifier's row may hold an operator's rules and point at no profile; the
    // identifier each profile was created for.
    R"sql(
ALTER TABLE identifiers ALTER COLUMN profile_id DROP NOT NULL,
                        ADD COLUMN ignored_before BIGINT,
                        ADD COLUMN blocked_at BIGINT;
CREATE INDEX identifiers_blocked ON identifiers (blocked_at) WHERE blocked_at IS NOT NULL;
ALTER TABLE profiles ADD COLUMN created_for_type TEXT, ADD COLUMN created_for_value TEXT;
)sql",
    // 4 -> 5: re-derivation (SPEC 13): redirected profile rows, an operator merge's trait
    // policy, and the identifier older profiles were created for (as in SQLite's 6 -> 7).
    R"sql(
ALTER TABLE profiles ADD COLUMN redirected_at BIGINT;
CREATE INDEX profiles_redirected ON profiles (created_for_type, created_for_value) WHERE redirected_at IS NOT NULL;
ALTER TABLE merges ADD COLUMN traits_policy TEXT;
UPDATE profiles p SET created_for_type = i.type, created_for_value = i.value
  FROM (SELECT DISTINCT ON (profile_id) profile_id, type, value FROM identifiers WHERE profile_id IS NOT NULL
        ORDER BY profile_id, added_at, type, value) i
  WHERE i.profile_id = p.id AND p.created_for_type IS NULL AND p.merged_into IS NULL;
UPDATE profiles p SET created_for_type = m.type, created_for_value = m.value
  FROM (SELECT DISTINCT ON (merged) merged, merged_snapshot::jsonb #>> '{identifiers,0,type}' AS type,
               merged_snapshot::jsonb #>> '{identifiers,0,value}' AS value FROM merges ORDER BY merged, seq) m
  WHERE m.merged = p.id AND p.created_for_type IS NULL AND p.merged_into IS NOT NULL;
)sql",
    // 5 -> 6: erasure (SPEC 14), as SQLite's 7 -> 8.
    R"sql(
ALTER TABLE idempotency_keys ALTER COLUMN event_id DROP NOT NULL;
CREATE TABLE suppressed (hash TEXT PRIMARY KEY, at BIGINT NOT NULL);
CREATE TABLE store_keys (name TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
    // 6 -> 7: compact traces (stored_trace.hpp), as SQLite's 8 -> 9.
    R"sql(
CREATE TABLE trace_shapes (key TEXT PRIMARY KEY, nodes TEXT NOT NULL);
)sql",
    // 7 -> 8: an erasure finds the keys of its events by index, as SQLite's 9 -> 10.
    R"sql(
CREATE INDEX idempotency_keys_event ON idempotency_keys (event_id) WHERE event_id IS NOT NULL;
)sql",
    // 8 -> 9: erasure takes everything of the person, as SQLite's 11 -> 12 (the keys by event
    // id, PostgreSQL's events being keyed by id, as hex text).
    R"sql(
ALTER TABLE events ADD COLUMN owner TEXT;
CREATE INDEX events_owner ON events (owner) WHERE owner IS NOT NULL;
ALTER TABLE identifiers ADD COLUMN taken_from TEXT;
CREATE INDEX identifiers_taken_from ON identifiers (taken_from) WHERE taken_from IS NOT NULL;
CREATE TABLE event_values (event_id TEXT PRIMARY KEY, keys TEXT NOT NULL);
CREATE TABLE event_values_pending (event_id TEXT PRIMARY KEY);
INSERT INTO event_values_pending (event_id) SELECT id FROM events WHERE profile_id IS NULL;
)sql",
    // 9 -> 10: the outbox of destinations (SPEC 17), as SQLite's 12 -> 13.
    R"sql(
CREATE TABLE messages (
  seq         BIGSERIAL PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  destination TEXT NOT NULL,
  type        TEXT NOT NULL,
  profile_id  TEXT,
  created_at  BIGINT NOT NULL,
  data        TEXT NOT NULL,
  status      TEXT NOT NULL,
  attempts    BIGINT NOT NULL DEFAULT 0,
  next_at     BIGINT NOT NULL,
  lease_until BIGINT
);
CREATE INDEX messages_pending ON messages (destination, seq) WHERE status = 'pending';
CREATE INDEX messages_pending_profile ON messages (profile_id, destination, seq) WHERE status = 'pending';
CREATE INDEX messages_settled ON messages (destination, status, seq) WHERE status <> 'pending';
CREATE INDEX messages_profile ON messages (profile_id);
CREATE TABLE message_attempts (
  seq         BIGSERIAL PRIMARY KEY,
  message     BIGINT NOT NULL,
  at          BIGINT NOT NULL,
  http_status INTEGER,
  error       TEXT,
  ms          BIGINT NOT NULL,
  response    TEXT NOT NULL
);
CREATE INDEX message_attempts_message ON message_attempts (message);
CREATE TABLE destinations (
  id              TEXT PRIMARY KEY,
  disabled_at     BIGINT,
  disabled_reason TEXT,
  failing_since   BIGINT,
  last_error_at   BIGINT,
  last_error      TEXT
);
)sql",
    // 10 -> 11: one index by profile instead of two (as SQLite's 13 -> 14): per-profile order
    // and coalescing read its pending entries, erasure all of them.
    R"sql(
DROP INDEX messages_pending_profile;
DROP INDEX messages_profile;
CREATE INDEX messages_profile ON messages (profile_id, destination, status, seq);
)sql",
    // 11 -> 12: listing and search of profiles (as SQLite's 14 -> 15). Terms compare as bytes
    // (COLLATE "C"). The terms of what was stored before are made here by PostgreSQL's lower()
    // and its idea of letters and digits, the same as weft's for ASCII; they become weft's own
    // when a profile's traits or identifiers are next written (or by weft rebuild).
    R"sql(
ALTER TABLE identifiers ADD COLUMN search TEXT COLLATE "C";
UPDATE identifiers SET search = lower(left(value, 200));
CREATE INDEX identifiers_search ON identifiers (search) WHERE profile_id IS NOT NULL;
DROP INDEX identifiers_profile;
CREATE INDEX identifiers_profile ON identifiers (profile_id, type, search);
CREATE TABLE trait_terms (
  profile_id TEXT NOT NULL,
  term       TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (profile_id, term)
);
CREATE INDEX trait_terms_term ON trait_terms (term);
INSERT INTO trait_terms (profile_id, term)
  SELECT DISTINCT p.id, left(t.term, 200) FROM profiles p
  CROSS JOIN LATERAL jsonb_path_query(p.traits::jsonb, 'strict $.** ? (@.type() == "string")') AS s(value)
  CROSS JOIN LATERAL (SELECT lower(s.value #>> '{}') UNION SELECT regexp_split_to_table(lower(s.value #>> '{}'), '[^[:alnum:]]+')) AS t(term)
  WHERE p.merged_into IS NULL AND p.redirected_at IS NULL AND char_length(t.term) >= 2
  ON CONFLICT DO NOTHING;
CREATE INDEX profiles_recent ON profiles (updated_at, id) WHERE merged_into IS NULL AND redirected_at IS NULL;
CREATE FUNCTION weft_profile_deleted_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM trait_terms WHERE profile_id = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER profiles_deleted_terms AFTER DELETE ON profiles FOR EACH ROW EXECUTE FUNCTION weft_profile_deleted_terms();
)sql",
};

}  // namespace weft::postgres_schema
