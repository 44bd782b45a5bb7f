#include "weft/store/sqlite/sqlite_store.hpp"

#include "store/event_rows_sql.hpp"
#include "weft/store/payload_values.hpp"
#include "store/migrations.hpp"
#include "store/profile_sql.hpp"
#include "store/random_key.hpp"
#include "store/store_invariants.hpp"
#include "sqlite_outbox.hpp"
#include "sqlite_profile_search.hpp"
#include "weft/store/search_terms.hpp"
#include "sqlite_schema.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <map>
#include <memory>

namespace weft {

// A profile's scope (SPEC 13): the live profile ?1 and the profiles merged into it.
#define IN_SCOPE(column) column " = ?1 OR " column " IN (SELECT id FROM profiles WHERE merged_into = ?1)"

// Every statement is prepared once per connection and reused.
struct SqliteStore::Statements {
  explicit Statements(SqliteDb& db)
      : begin(db.prepare("BEGIN IMMEDIATE")),
        commit(db.prepare("COMMIT")),
        rollback(db.prepare("ROLLBACK")),
        savepoint(db.prepare("SAVEPOINT event")),
        release(db.prepare("RELEASE event")),
        rollback_to(db.prepare("ROLLBACK TO event")),
        identifier_state(db.prepare("SELECT profile_id, ignored_before, blocked_at FROM identifiers WHERE type = ?1 AND value = ?2")),
        attach_identifier(db.prepare("UPDATE identifiers SET profile_id = ?3, added_at = ?4 WHERE type = ?1 AND value = ?2 AND profile_id IS NULL")),
        detach_identifier(db.prepare("UPDATE identifiers SET taken_from = coalesce(profile_id, taken_from), profile_id = NULL, ignored_before = max(coalesce(ignored_before, 0), ?3), "
                                     "blocked_at = coalesce(blocked_at, ?4) WHERE type = ?1 AND value = ?2")),
        unblock_identifier(db.prepare("UPDATE identifiers SET blocked_at = NULL WHERE type = ?1 AND value = ?2 AND blocked_at IS NOT NULL")),
        blocked_identifiers(db.prepare("SELECT type, value, blocked_at FROM identifiers WHERE blocked_at IS NOT NULL ORDER BY blocked_at, type, value")),
        insert_identifier(db.prepare("INSERT INTO identifiers (type, value, profile_id, added_at, search) VALUES (?1, ?2, ?3, ?4, ?5)")),
        identifiers(db.prepare("SELECT type, value FROM identifiers WHERE profile_id = ?1 ORDER BY added_at, type, value")),
        count_identifiers(db.prepare("SELECT count(*) FROM identifiers WHERE profile_id = ?1 AND type = ?2")),
        insert_profile(db.prepare("INSERT INTO profiles (id, created_at, updated_at, traits, created_for_type, created_for_value) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")),
        load_profile(db.prepare(profile_sql::load_profile("?1"))),
        save_traits(db.prepare("UPDATE profiles SET traits = ?2, updated_at = ?3 WHERE id = ?1")),
        touch(db.prepare("UPDATE profiles SET updated_at = ?2 WHERE id = ?1")),
        aliases(db.prepare(profile_sql::aliases("?1"))),
        count_aliases(db.prepare("SELECT count(*) FROM profiles WHERE merged_into = ?1")),
        move_identifiers(db.prepare("UPDATE identifiers SET profile_id = ?1 WHERE profile_id = ?2")),
        move_events(db.prepare("UPDATE events SET profile_id = ?1 WHERE profile_id = ?2")),
        move_aliases(db.prepare("UPDATE profiles SET merged_into = ?1 WHERE merged_into = ?2")),
        retire(db.prepare("UPDATE profiles SET merged_into = ?1, merged_at = ?3 WHERE id = ?2")),
        insert_merge(db.prepare("INSERT INTO merges (survivor, merged, identifier_type, identifier_value, event_id, at, merged_snapshot, "
                                "reason, traits_policy) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")),
        merges(db.prepare("SELECT survivor, merged, identifier_type, identifier_value, event_id, at, merged_snapshot, reason, traits_policy "
                          "FROM merges WHERE " IN_SCOPE("survivor") " ORDER BY seq")),
        profile_rows(db.prepare(profile_sql::profile_rows("?1"))),
        all_profile_rows(db.prepare(profile_sql::all_profile_rows())),
        event_keys(db.prepare("SELECT received_at, seq FROM events WHERE profile_id = ?1 AND status = 'processed'")),
        all_event_keys(db.prepare("SELECT received_at, seq FROM events WHERE status = 'processed'")),
        merge_log(db.prepare("SELECT survivor, merged, identifier_type, identifier_value, event_id, at, '', reason, traits_policy FROM merges "
                             "WHERE (" IN_SCOPE("survivor") ") AND (?2 = 0 OR identifier_type IS NULL) ORDER BY at, seq")),
        all_merge_log(db.prepare("SELECT survivor, merged, identifier_type, identifier_value, event_id, at, '', reason, traits_policy "
                                 "FROM merges WHERE ?1 = 0 OR identifier_type IS NULL ORDER BY at, seq")),
        delete_merges(db.prepare("DELETE FROM merges WHERE " IN_SCOPE("survivor"))),
        delete_free_identifiers(db.prepare("DELETE FROM identifiers WHERE profile_id = ?1 AND ignored_before IS NULL AND blocked_at IS NULL")),
        free_identifiers(db.prepare("UPDATE identifiers SET profile_id = NULL WHERE profile_id = ?1")),
        delete_profiles(db.prepare("DELETE FROM profiles WHERE " + profile_sql::in_scope("?1"))),
        insert_redirect(db.prepare("INSERT INTO profiles (id, created_at, updated_at, traits, created_for_type, created_for_value, "
                                   "redirected_at) VALUES (?1, ?2, ?3, '{}', ?4, ?5, ?6)")),
        identifier_owners(db.prepare("SELECT type, value, profile_id FROM identifiers WHERE profile_id IS NOT NULL")),
        load_event_at(db.prepare(select_events("WHERE seq = ?1"))),
        count_scope(db.prepare("SELECT count(*) FROM profiles WHERE " + profile_sql::in_scope("?1"))),
        erase_merges(db.prepare("DELETE FROM merges WHERE survivor IN (SELECT id FROM profiles WHERE " + profile_sql::in_scope("?1") +
                                ") OR merged IN (SELECT id FROM profiles WHERE " + profile_sql::in_scope("?1") + ")")),
        unlink_keys(db.prepare("UPDATE idempotency_keys SET event_id = NULL WHERE event_id IN (SELECT id FROM events WHERE profile_id = ?1)")),
        erase_events(db.prepare("DELETE FROM events WHERE profile_id = ?1")),
        erase_identifiers(db.prepare("DELETE FROM identifiers WHERE profile_id = ?1")),
        taken_identifiers(db.prepare("SELECT type, value FROM identifiers WHERE profile_id IS NULL AND taken_from IN "
                                     "(SELECT id FROM profiles WHERE " + profile_sql::in_scope("?1") + ")")),
        erase_taken_identifiers(db.prepare("DELETE FROM identifiers WHERE profile_id IS NULL AND taken_from IN "
                                           "(SELECT id FROM profiles WHERE " + profile_sql::in_scope("?1") + ")")),
        owned_events(db.prepare("SELECT seq FROM events WHERE owner IN (SELECT id FROM profiles WHERE " + profile_sql::in_scope("?1") +
                                ") AND profile_id IS NULL")),
        scope_ids(db.prepare("SELECT id FROM profiles WHERE " + profile_sql::in_scope("?1"))),
        value_keys(db.prepare("SELECT seq, keys FROM event_values")),
        unattributed_payload(db.prepare("SELECT payload FROM events WHERE seq = ?1 AND profile_id IS NULL")),
        insert_value(db.prepare("INSERT OR REPLACE INTO event_values (seq, keys) VALUES (?1, ?2)")),
        delete_value(db.prepare("DELETE FROM event_values WHERE seq = ?1")),
        unlink_key_of(db.prepare("UPDATE idempotency_keys SET event_id = NULL WHERE event_id = (SELECT id FROM events WHERE seq = ?1)")),
        erase_event_at(db.prepare("DELETE FROM events WHERE seq = ?1")),
        operations_naming(db.prepare("SELECT seq, profiles FROM operations WHERE instr(profiles, ?1) > 0 OR instr(result, ?1) > 0")),
        scrub_operation(db.prepare("UPDATE operations SET profiles = ?2, reason = NULL, result = '{}' WHERE seq = ?1")),
        incomplete_erasures(db.prepare("SELECT id FROM operations WHERE kind = 'erase' AND json_extract(result, '$.complete') = 0 "
                                       "ORDER BY seq")),
        mark_erasure_complete(db.prepare("UPDATE operations SET result = json_set(result, '$.complete', json('true')) WHERE id = ?1")),
        seq_of_event(db.prepare("SELECT seq, profile_id IS NULL, payload FROM events WHERE id = ?1")),
        pending_values(db.prepare("SELECT p.seq, e.payload FROM event_values_pending p JOIN events e ON e.seq = p.seq "
                                  "WHERE e.profile_id IS NULL ORDER BY p.seq LIMIT 10000")),
        last_pending(db.prepare("SELECT max(seq) FROM (SELECT seq FROM event_values_pending ORDER BY seq LIMIT 10000)")),
        clear_pending(db.prepare("DELETE FROM event_values_pending WHERE seq <= ?1")),
        insert_suppressed(db.prepare("INSERT OR IGNORE INTO suppressed (hash, at) VALUES (?1, ?2)")),
        is_suppressed(db.prepare("SELECT 1 FROM suppressed WHERE hash = ?1")),
        find_idempotency_key(db.prepare("SELECT event_id FROM idempotency_keys WHERE source = ?1 AND key = ?2")),
        insert_idempotency_key(db.prepare("INSERT INTO idempotency_keys (source, key, event_id) VALUES (?1, ?2, ?3)")),
        insert_trace_shape(db.prepare("INSERT OR IGNORE INTO trace_shapes (key, nodes) VALUES (?1, ?2)")),
        trace_shape(db.prepare("SELECT nodes FROM trace_shapes WHERE key = ?1")),
        insert_event(db.prepare("INSERT INTO events (id, source, type, received_at, profile_id, status, payload, properties, trace, error, owner) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")),
        count_events(db.prepare("SELECT count(*) FROM events WHERE profile_id = ?1")),
        load_event(db.prepare(select_events("WHERE id = ?1"))),
        update_event(db.prepare("UPDATE events SET status = ?2, profile_id = ?3, properties = ?4, trace = ?5, error = ?6, type = ?7, "
                                "owner = coalesce(?8, owner) WHERE id = ?1")),
        events_after(db.prepare(select_events("WHERE profile_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"))),
        events_before(db.prepare(select_events("WHERE profile_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"))),
        failed_all(db.prepare(select_events("WHERE status = 'failed' AND seq > ?1 ORDER BY seq LIMIT ?2"))),
        failed_of_source(db.prepare(select_events("WHERE status = 'failed' AND source = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"))),
        count_live(db.prepare(profile_sql::count_live)),
        insert_operation(db.prepare("INSERT INTO operations (id, at, kind, profiles, reason, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")),
        operations(db.prepare("SELECT seq, id, at, kind, profiles, reason, result FROM operations WHERE seq < ?1 AND (?3 = '' OR kind = ?3) "
                              "ORDER BY seq DESC LIMIT ?2")) {}

  SqliteStatement begin, commit, rollback, savepoint, release, rollback_to;
  SqliteStatement identifier_state, attach_identifier, detach_identifier, unblock_identifier, blocked_identifiers;
  SqliteStatement insert_identifier, identifiers, count_identifiers;
  SqliteStatement insert_profile, load_profile, save_traits, touch, aliases, count_aliases;
  SqliteStatement move_identifiers, move_events, move_aliases, retire, insert_merge, merges;
  SqliteStatement profile_rows, all_profile_rows, event_keys, all_event_keys, merge_log, all_merge_log;
  SqliteStatement delete_merges, delete_free_identifiers, free_identifiers, delete_profiles, insert_redirect, identifier_owners, load_event_at;
  SqliteStatement count_scope, erase_merges, unlink_keys, erase_events, erase_identifiers;
  SqliteStatement taken_identifiers, erase_taken_identifiers, owned_events, scope_ids, value_keys, unattributed_payload, insert_value, delete_value;
  SqliteStatement unlink_key_of, erase_event_at, operations_naming, scrub_operation, incomplete_erasures, mark_erasure_complete, seq_of_event, pending_values, last_pending,
      clear_pending;
  SqliteStatement insert_suppressed, is_suppressed;
  SqliteStatement find_idempotency_key, insert_idempotency_key;
  SqliteStatement insert_trace_shape, trace_shape;
  SqliteStatement insert_event, count_events, load_event, update_event, events_after, events_before, failed_all, failed_of_source, count_live;
  SqliteStatement insert_operation, operations;
};

#undef IN_SCOPE

namespace {

ProfileRecord profile_row(const SqliteStatement& s) {
  ProfileRecord p{s.id(0), s.integer(1), s.integer(2), std::string(s.text(3)), std::nullopt};
  if (!s.is_null(4)) p.created_for = Identifier{std::string(s.text(4)), std::string(s.text(5))};
  return p;
}

std::optional<std::string> optional_text(const SqliteStatement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return std::string(s.text(column));
}

}  // namespace

static_assert(SqliteStore::schema_version == sqlite_schema::migrations.size());

SqliteStore::SqliteStore(const std::string& path, SqliteWal wal) : path_(path), db_(path, wal) {
  // Every freed cell and page is overwritten with zeros, always: an erasure's own deletions are
  // not enough, since older copies of a row (left in a page's free space whenever SQLite
  // rewrote it) would outlive the erasure (SPEC 14; its cost: docs/design.md).
  db_.exec("PRAGMA secure_delete = ON");
  migrate();
  sql_ = std::make_unique<Statements>(db_);
  outbox_ = std::make_unique<SqliteOutbox>(db_);
  search_ = std::make_unique<SqliteProfileSearch>(db_);
  // The suppression key: made once, by whichever connection first finds none.
  auto read = db_.prepare("SELECT value FROM store_keys WHERE name = 'suppression'");
  if (!read.step()) {
    read.reset();
    auto make = db_.prepare("INSERT OR IGNORE INTO store_keys (name, value) VALUES ('suppression', ?1)");
    make.bind(1, random_hex(32));
    make.run();
    if (!read.step()) throw StoreError("the store's suppression key could not be made");
  }
  suppression_key_ = std::string(read.text(0));
  read.reset();
  value_keys_ = std::make_unique<payload_values::ValueKeys>(suppression_key_);
  index_pending_values();
}

Outbox& SqliteStore::outbox() { return *outbox_; }

SqliteStore::~SqliteStore() {
  if (hold_fd_ >= 0) ::close(hold_fd_);  // releases the lock
}

// A lock on a file beside the database (<path>.writers), not on the database itself: SQLite's
// own locks last a transaction, this one the life of a process.
bool SqliteStore::hold(bool exclusive) {
  if (hold_fd_ < 0) {
    const std::string lock_path = path_ + ".writers";
    hold_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (hold_fd_ < 0) throw StoreError("cannot open " + lock_path + ": " + std::strerror(errno));
  }
  return ::flock(hold_fd_, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0;
}

void SqliteStore::migrate() {
  db_.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  auto read = db_.prepare("SELECT max(version) FROM schema_version");
  int version = read.step() && !read.is_null(0) ? static_cast<int>(read.integer(0)) : 0;
  read.reset();
  db_.define_migration_functions();
  apply_migrations(version, sqlite_schema::migrations, "BEGIN IMMEDIATE", [this](const std::string& sql) { db_.exec(sql); });
}

// Made by the first transaction or erasure: a store only read never checkpoints.
SqliteCheckpointer& SqliteStore::checkpointer() {
  if (!checkpointer_) checkpointer_ = std::make_unique<SqliteCheckpointer>(path_, db_, WalLimits::from_environment());
  return *checkpointer_;
}

void SqliteStore::begin() {
  checkpointer().before_write();
  written_shapes_.discard_open();
  run(sql_->begin);
}

void SqliteStore::commit() {
  run(sql_->commit);
  written_shapes_.committed();
}

void SqliteStore::rollback() { run(sql_->rollback); }
// 1,000,000 events of the bench, 10,000 a transaction: 22.3k events/s with the default 32 MiB
// of cache, 26.7k with 128 MiB; 100,000 a transaction: 33.0k and 42.4k. 3,000,000 events
// (issue 20), whose random-insert indexes outgrow 128 MiB: 20.6k events/s with 128 MiB, 25.9k
// with 256, 27.8k with 512 (peak RSS 925 MiB), 26.7k with 1 GiB. SQLite takes it only as pages
// are read: a small store does not pay.
void SqliteStore::expect_large_transactions() { db_.exec("PRAGMA cache_size=-524288"); }
void SqliteStore::expect_reads_only() { db_.exec("PRAGMA cache_size=-4096"); }

void SqliteStore::savepoint() { run(sql_->savepoint); }
void SqliteStore::release_savepoint() { run(sql_->release); }
void SqliteStore::rollback_to_savepoint() {
  written_shapes_.discard_open();
  run(sql_->rollback_to);
}

std::optional<IdentifierState> SqliteStore::identifier_state(std::string_view type, std::string_view value) {
  auto& s = sql_->identifier_state;
  s.bind(1, type).bind(2, value);
  std::optional<IdentifierState> state;
  if (s.step()) {
    state.emplace();
    state->profile_id = s.optional_id(0);
    if (!s.is_null(1)) state->ignored_before = s.integer(1);
    if (!s.is_null(2)) state->blocked_at = s.integer(2);
  }
  s.reset();
  return state;
}

void SqliteStore::attach_identifier(std::string_view type, std::string_view value, std::string_view profile_id, std::int64_t at) {
  auto& s = sql_->attach_identifier;
  s.bind(1, type).bind(2, value).bind_id(3, profile_id).bind(4, at);
  run(s);
  if (sqlite3_changes(db_.handle()) != 1) throw StoreError("identifier " + std::string(type) + ":" + std::string(value) + " has no free row to attach");
}

void SqliteStore::detach_identifier(std::string_view type, std::string_view value, std::int64_t ignored_before,
                                    std::optional<std::int64_t> blocked_at) {
  auto& s = sql_->detach_identifier;
  s.bind(1, type).bind(2, value).bind(3, ignored_before);
  if (blocked_at)
    s.bind(4, *blocked_at);
  else
    s.bind_null(4);
  run(s);
}

bool SqliteStore::unblock_identifier(std::string_view type, std::string_view value) {
  auto& s = sql_->unblock_identifier;
  s.bind(1, type).bind(2, value);
  run(s);
  return sqlite3_changes(db_.handle()) == 1;
}

std::vector<BlockedIdentifier> SqliteStore::blocked_identifiers() {
  auto& s = sql_->blocked_identifiers;
  std::vector<BlockedIdentifier> out;
  while (s.step()) out.push_back({{std::string(s.text(0)), std::string(s.text(1))}, s.integer(2)});
  s.reset();
  return out;
}

void SqliteStore::insert_identifier(std::string_view type, std::string_view value, std::string_view profile_id, std::int64_t at) {
  auto& s = sql_->insert_identifier;
  s.bind(1, type).bind(2, value).bind_id(3, profile_id).bind(4, at).bind(5, search_terms::fold(value));
  run(s);
}

std::vector<Identifier> SqliteStore::identifiers(std::string_view profile_id) {
  auto& s = sql_->identifiers;
  s.bind_id(1, profile_id);
  std::vector<Identifier> out;
  while (s.step()) out.push_back({std::string(s.text(0)), std::string(s.text(1))});
  s.reset();
  return out;
}

std::int64_t SqliteStore::count_identifiers(std::string_view profile_id, std::string_view type) {
  sql_->count_identifiers.bind_id(1, profile_id).bind(2, type);
  return single_integer(sql_->count_identifiers);
}

void SqliteStore::insert_profile(const ProfileRecord& p) {
  auto& s = sql_->insert_profile;
  s.bind_id(1, p.id).bind(2, p.created_at).bind(3, p.updated_at).bind(4, p.traits);
  if (p.created_for)
    s.bind(5, p.created_for->type).bind(6, p.created_for->value);
  else
    s.bind_null(5).bind_null(6);
  run(s);
}

std::optional<ProfileRecord> SqliteStore::load_profile(std::string_view id) {
  auto& s = sql_->load_profile;
  s.bind_id(1, id);
  std::optional<ProfileRecord> p;
  if (s.step()) p = profile_row(s);
  s.reset();
  return p;
}

void SqliteStore::save_traits(std::string_view profile_id, std::string_view traits, std::int64_t updated_at) {
  sql_->save_traits.bind_id(1, profile_id).bind(2, traits).bind(3, updated_at);
  run(sql_->save_traits);
  search_->keep_trait_terms(profile_id, traits);
}

void SqliteStore::touch_profile(std::string_view profile_id, std::int64_t updated_at) {
  sql_->touch.bind_id(1, profile_id).bind(2, updated_at);
  run(sql_->touch);
}

std::vector<std::string> SqliteStore::aliases(std::string_view profile_id) {
  auto& s = sql_->aliases;
  s.bind_id(1, profile_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.id(0));
  s.reset();
  return out;
}

std::int64_t SqliteStore::count_aliases(std::string_view profile_id) {
  sql_->count_aliases.bind_id(1, profile_id);
  return single_integer(sql_->count_aliases);
}

void SqliteStore::merge_profiles(std::string_view survivor, std::string_view merged, std::string_view survivor_traits, std::int64_t at) {
  sql_->move_identifiers.bind_id(1, survivor).bind_id(2, merged);
  run(sql_->move_identifiers);
  sql_->move_events.bind_id(1, survivor).bind_id(2, merged);
  run(sql_->move_events);
  sql_->move_aliases.bind_id(1, survivor).bind_id(2, merged);
  run(sql_->move_aliases);
  save_traits(survivor, survivor_traits, at);
  sql_->retire.bind_id(1, survivor).bind_id(2, merged).bind(3, at);
  run(sql_->retire);
  search_->drop_trait_terms(merged);
}

void SqliteStore::insert_merge(const MergeRecord& m) {
  auto& s = sql_->insert_merge;
  s.bind_id(1, m.survivor).bind_id(2, m.merged);
  if (m.identifier)
    s.bind(3, m.identifier->type).bind(4, m.identifier->value);
  else
    s.bind_null(3).bind_null(4);
  s.bind_optional_id(5, m.event_id).bind(6, m.at).bind(7, m.merged_snapshot).bind_optional(8, m.reason).bind_optional(9, m.traits_policy);
  run(s);
}

namespace {

std::vector<MergeRecord> merge_rows(SqliteStatement& s) {
  std::vector<MergeRecord> out;
  while (s.step()) {
    MergeRecord m{s.id(0), s.id(1), std::nullopt, s.optional_id(4), s.integer(5), std::string(s.text(6)),
                  s.optional_text(7), s.optional_text(8)};
    if (!s.is_null(2)) m.identifier = Identifier{std::string(s.text(2)), std::string(s.text(3))};
    out.push_back(std::move(m));
  }
  s.reset();
  return out;
}

}  // namespace

std::vector<MergeRecord> SqliteStore::merges(std::string_view survivor) {
  sql_->merges.bind_id(1, survivor);
  return merge_rows(sql_->merges);
}

std::vector<StoredProfile> SqliteStore::profile_rows(Scope scope) {
  auto& s = scope ? sql_->profile_rows : sql_->all_profile_rows;
  if (scope) s.bind_id(1, *scope);
  std::vector<StoredProfile> out;
  // column 6 is the scope itself when there is one (SQLite's CAST of the bytes would not do)
  while (s.step()) out.push_back({profile_row(s), scope ? std::string(*scope) : s.id(6), s.integer(7) != 0});
  s.reset();
  return out;
}

std::vector<EventKey> SqliteStore::event_keys(Scope scope) {
  auto& s = scope ? sql_->event_keys : sql_->all_event_keys;
  if (scope) s.bind_id(1, *scope);
  std::vector<EventKey> out;
  while (s.step()) out.push_back({s.integer(0), s.integer(1)});
  s.reset();
  return out;
}

std::vector<MergeRecord> SqliteStore::merge_log(Scope scope, bool operators_only) {
  if (!scope) {
    sql_->all_merge_log.bind(1, operators_only ? 1 : 0);
    return merge_rows(sql_->all_merge_log);
  }
  sql_->merge_log.bind_id(1, *scope).bind(2, operators_only ? 1 : 0);
  return merge_rows(sql_->merge_log);
}

void SqliteStore::set_aside(Scope scope) {
  if (!scope) {
    db_.exec("DELETE FROM merges; DELETE FROM identifiers WHERE ignored_before IS NULL AND blocked_at IS NULL; "
             "UPDATE identifiers SET profile_id = NULL WHERE profile_id IS NOT NULL; DELETE FROM profiles");
    return;
  }
  // profiles before identifiers: which redirected rows are in the scope is told by identifiers
  for (SqliteStatement* s : {&sql_->delete_merges, &sql_->delete_profiles, &sql_->delete_free_identifiers, &sql_->free_identifiers}) {
    s->bind_id(1, *scope);
    run(*s);
  }
}

void SqliteStore::insert_redirect(const ProfileRecord& p, std::int64_t at) {
  auto& s = sql_->insert_redirect;
  s.bind_id(1, p.id).bind(2, p.created_at).bind(3, p.updated_at);
  if (p.created_for)
    s.bind(4, p.created_for->type).bind(5, p.created_for->value);
  else
    s.bind_null(4).bind_null(5);
  s.bind(6, at);
  run(s);
}

std::vector<IdentifierOwner> SqliteStore::identifier_owners() {
  auto& s = sql_->identifier_owners;
  std::vector<IdentifierOwner> out;
  while (s.step()) out.push_back({{std::string(s.text(0)), std::string(s.text(1))}, s.id(2)});
  s.reset();
  return out;
}

void SqliteStore::insert_operation(const OperationRecord& o) {
  auto& s = sql_->insert_operation;
  s.bind(1, o.id).bind(2, o.at).bind(3, o.kind).bind(4, o.profiles).bind_optional(5, o.reason).bind(6, o.result);
  run(s);
}

std::vector<OperationRecord> SqliteStore::operations(std::int64_t before_seq, std::int64_t limit, std::string_view kind) {
  auto& s = sql_->operations;
  s.bind(1, before_seq > 0 ? before_seq : std::numeric_limits<std::int64_t>::max()).bind(2, limit);
  s.bind(3, kind.empty() ? std::string_view("") : kind);  // an empty view may have no data: bound as NULL
  std::vector<OperationRecord> out;
  while (s.step())
    out.push_back(OperationRecord{s.integer(0), std::string(s.text(1)), s.integer(2), std::string(s.text(3)), std::string(s.text(4)),
                                  s.optional_text(5), std::string(s.text(6))});
  s.reset();
  return out;
}

Erased SqliteStore::erase_profile(std::string_view live_id) {
  // secure_delete is on for the store's connection (see the constructor): freed cells and
  // pages are overwritten with zeros, these and every earlier one.
  Erased erased;
  sql_->count_scope.bind_id(1, live_id);
  erased.profiles = single_integer(sql_->count_scope);
  erased.erased_identifiers = identifiers(live_id);
  auto& taken = sql_->taken_identifiers;
  taken.bind_id(1, live_id);
  while (taken.step()) erased.erased_identifiers.push_back({std::string(taken.text(0)), std::string(taken.text(1))});
  taken.reset();
  const auto deleting = [&](SqliteStatement& s) {
    s.bind_id(1, live_id);
    run(s);
    return static_cast<std::int64_t>(sqlite3_changes(db_.handle()));
  };
  auto& scope = sql_->scope_ids;
  scope.bind_id(1, live_id);
  while (scope.step()) erased.erased_ids.push_back(scope.id(0));
  scope.reset();
  scrub_operations(live_id);  // while the scope's profile rows still say who
  erased.messages = outbox_->erase_of_scope(live_id);
  erased.merges = deleting(sql_->erase_merges);
  deleting(sql_->unlink_keys);
  erased.events = deleting(sql_->erase_events);
  erased.events += erase_owned_events(live_id);
  erased.identifiers = deleting(sql_->erase_taken_identifiers);
  deleting(sql_->delete_profiles);  // before the identifiers: they tell which redirected rows answer for it
  erased.identifiers += deleting(sql_->erase_identifiers);
  erased.unattributed_events = erase_unattributed(erased.erased_identifiers);
  return erased;
}

// Failed events run for a profile of the scope, which hold no profile.
std::int64_t SqliteStore::erase_owned_events(std::string_view live_id) {
  std::vector<std::int64_t> seqs;
  auto& owned = sql_->owned_events;
  owned.bind_id(1, live_id);
  while (owned.step()) seqs.push_back(owned.integer(0));
  owned.reset();
  for (const std::int64_t seq : seqs) erase_event_at(seq);
  return static_cast<std::int64_t>(seqs.size());
}

void SqliteStore::erase_event_at(std::int64_t seq) {
  run(sql_->delete_value.bind(1, seq));
  run(sql_->unlink_key_of.bind(1, seq));
  run(sql_->erase_event_at.bind(1, seq));
}

// Events of no profile whose payload holds one of the identifiers' values: those whose kept
// keys hold a key of a value (one pass over ~8 bytes a string), each checked against its payload.
std::int64_t SqliteStore::erase_unattributed(const std::vector<Identifier>& identifiers) {
  std::vector<std::string> values;
  std::vector<std::uint64_t> keys;
  for (const Identifier& id : identifiers) {
    values.push_back(id.value);
    for (const std::uint64_t key : value_keys_->of_value(id.value)) keys.push_back(key);
  }
  if (keys.empty()) return 0;
  std::vector<std::int64_t> candidates;
  auto& scan = sql_->value_keys;
  while (scan.step())
    if (payload_values::holds_key(scan.blob(1), keys)) candidates.push_back(scan.integer(0));
  scan.reset();
  std::int64_t erased = 0;
  for (const std::int64_t seq : candidates) {
    auto& read = sql_->unattributed_payload;
    read.bind(1, seq);
    const bool holds = read.step() && payload_values::holds_any(read.text(0), values);  // a key can collide
    read.reset();
    if (!holds) continue;
    erase_event_at(seq);
    ++erased;
  }
  return erased;
}

// Operations naming a profile of the scope: their reason and result go, their ids become
// "erased".
void SqliteStore::scrub_operations(std::string_view live_id) {
  std::vector<std::string> ids;
  auto& scope = sql_->scope_ids;
  scope.bind_id(1, live_id);
  while (scope.step()) ids.push_back(scope.id(0));
  scope.reset();
  std::map<std::int64_t, std::string> naming;  // seq -> profiles
  auto& find = sql_->operations_naming;
  for (const std::string& id : ids) {
    find.bind(1, id);
    while (find.step()) naming.emplace(find.integer(0), std::string(find.text(1)));
    find.reset();
  }
  for (const auto& [seq, profiles] : naming) run(sql_->scrub_operation.bind(1, seq).bind(2, payload_values::erased_ids_in(profiles, ids)));
}

// The WAL still holds the erased rows' old page images until it is copied into the database
// and cut to nothing (sqlite_checkpointer.hpp).
std::function<void()> SqliteStore::scrub_after_erasure() {
  return [wait = checkpointer().scrub(), path = path_] {
    try {
      wait();
    } catch (const StoreError& e) {
      throw StoreError(path + ": " + e.what());
    }
  };
}

std::vector<std::string> SqliteStore::incomplete_erasures() {
  std::vector<std::string> ids;
  while (sql_->incomplete_erasures.step()) ids.emplace_back(sql_->incomplete_erasures.text(0));
  sql_->incomplete_erasures.reset();
  return ids;
}

void SqliteStore::mark_erasure_complete(std::string_view operation_id) { run(sql_->mark_erasure_complete.bind(1, operation_id)); }

void SqliteStore::insert_suppressed(std::string_view hash, std::int64_t at) {
  sql_->insert_suppressed.bind(1, hash).bind(2, at);
  run(sql_->insert_suppressed);
}

bool SqliteStore::is_suppressed(std::string_view hash) {
  sql_->is_suppressed.bind(1, hash);
  const bool found = sql_->is_suppressed.step();
  sql_->is_suppressed.reset();
  return found;
}

std::optional<std::string> SqliteStore::find_idempotency_key(std::string_view source, std::string_view key) {
  auto& s = sql_->find_idempotency_key;
  s.bind(1, source).bind(2, key);
  std::optional<std::string> event_id;
  if (s.step()) event_id = s.is_null(0) ? std::string() : s.id(0);
  s.reset();
  return event_id;
}

void SqliteStore::insert_idempotency_key(std::string_view source, std::string_view key, std::string_view event_id) {
  sql_->insert_idempotency_key.bind(1, source).bind(2, key).bind_id(3, event_id);
  run(sql_->insert_idempotency_key);
}

// OR IGNORE: another connection may have stored the shape.
void SqliteStore::keep_trace_shape(const EventRecord& e) {
  if (!e.trace_shape || !written_shapes_.needed(e.trace_shape->key)) return;
  sql_->insert_trace_shape.bind(1, e.trace_shape->key).bind(2, e.trace_shape->json);
  run(sql_->insert_trace_shape);
  written_shapes_.wrote(e.trace_shape->key);
}

void SqliteStore::insert_event(const EventRecord& e) {
  keep_trace_shape(e);
  auto& s = sql_->insert_event;
  s.bind_id(1, e.id).bind(2, e.source).bind(3, e.type).bind(4, e.received_at).bind_optional_id(5, e.profile_id).bind(6, e.status);
  s.bind(7, e.payload).bind(8, e.properties).bind(9, e.trace).bind_optional(10, e.error).bind_optional_id(11, e.owner);
  run(s);
  if (!e.profile_id) keep_value_keys(sqlite3_last_insert_rowid(db_.handle()), e.payload);
}

// The keys of an event's payload values, kept while it has no profile.
void SqliteStore::keep_value_keys(std::int64_t seq, std::string_view payload) {
  const std::string packed = value_keys_->of_payload(payload);
  if (!packed.empty()) run(sql_->insert_value.bind(1, seq).bind_blob(2, packed));
}

// Events stored before the index existed (schema 12), in transactions of 10,000.
void SqliteStore::index_pending_values() {
  // The last seq of the next 10,000 waiting; none: nothing to do (read without the write lock,
  // so that opening a store that has none takes no lock).
  const auto next_chunk = [this]() -> std::optional<std::int64_t> {
    auto& s = sql_->last_pending;
    const bool found = s.step() && !s.is_null(0);
    const std::int64_t last = found ? s.integer(0) : 0;
    s.reset();
    return found ? std::optional<std::int64_t>(last) : std::nullopt;
  };
  while (next_chunk()) {
    run(sql_->begin);
    try {
      const auto last = next_chunk();  // another process may have done it meanwhile
      if (last) {
        std::vector<std::pair<std::int64_t, std::string>> rows;
        while (sql_->pending_values.step()) rows.emplace_back(sql_->pending_values.integer(0), std::string(sql_->pending_values.text(1)));
        sql_->pending_values.reset();
        for (const auto& [seq, payload] : rows) keep_value_keys(seq, payload);
        run(sql_->clear_pending.bind(1, *last));
      }
      run(sql_->commit);
    } catch (...) {
      sql_->pending_values.reset();
      run(sql_->rollback);
      throw;
    }
  }
}

EventRecord SqliteStore::event_row(const SqliteStatement& s) {
  const auto shape_of = [this](std::string_view key) {
    auto& q = sql_->trace_shape;
    q.bind(1, key);
    std::optional<std::string> json;
    if (q.step()) json = std::string(q.text(0));
    q.reset();
    return json;
  };
  return EventRecord{s.integer(0),
                     s.id(1),
                     std::string(s.text(2)),
                     std::string(s.text(3)),
                     s.integer(4),
                     s.optional_id(5),
                     std::string(s.text(6)),
                     std::string(s.text(7)),
                     std::string(s.text(8)),
                     trace_shapes_.expand(std::string(s.text(9)), shape_of),
                     optional_text(s, 10),
                     nullptr,
                     std::nullopt};
}

std::vector<EventRecord> SqliteStore::event_rows(SqliteStatement& s) {
  std::vector<EventRecord> out;
  while (s.step()) out.push_back(event_row(s));
  s.reset();
  return out;
}

std::int64_t SqliteStore::count_events(std::string_view profile_id) {
  sql_->count_events.bind_id(1, profile_id);
  return single_integer(sql_->count_events);
}

// The one event a bound statement selects, if any.
std::optional<EventRecord> SqliteStore::one_event(SqliteStatement& s) {
  std::optional<EventRecord> e;
  if (s.step()) e = event_row(s);
  s.reset();
  return e;
}

std::optional<EventRecord> SqliteStore::load_event(std::string_view id) {
  sql_->load_event.bind_id(1, id);
  return one_event(sql_->load_event);
}

std::optional<EventRecord> SqliteStore::load_event_at(std::int64_t seq) {
  sql_->load_event_at.bind(1, seq);
  return one_event(sql_->load_event_at);
}

void SqliteStore::update_event(const EventRecord& e) {
  keep_trace_shape(e);
  // Its values are indexed while it has no profile: they enter or leave the index when that
  // changes (the payload is read only then).
  sql_->seq_of_event.bind_id(1, e.id);
  std::optional<std::pair<std::int64_t, std::string>> stored;
  if (sql_->seq_of_event.step() && (sql_->seq_of_event.integer(1) != 0) != !e.profile_id)
    stored.emplace(sql_->seq_of_event.integer(0), std::string(sql_->seq_of_event.text(2)));
  sql_->seq_of_event.reset();
  auto& s = sql_->update_event;
  s.bind_id(1, e.id).bind(2, e.status).bind_optional_id(3, e.profile_id).bind(4, e.properties).bind(5, e.trace).bind_optional(6, e.error);
  s.bind(7, e.type).bind_optional_id(8, e.owner);
  run(s);
  if (stored && !e.profile_id)
    keep_value_keys(stored->first, stored->second);
  else if (stored)
    run(sql_->delete_value.bind(1, stored->first));
}

std::vector<EventRecord> SqliteStore::profile_events(std::string_view profile_id, std::int64_t after_seq, std::int64_t limit,
                                                     bool descending) {
  auto& s = descending ? sql_->events_before : sql_->events_after;
  s.bind_id(1, profile_id).bind(2, descending && after_seq == 0 ? std::numeric_limits<std::int64_t>::max() : after_seq).bind(3, limit);
  return event_rows(s);
}

std::vector<EventRecord> SqliteStore::failed_events(std::string_view source, std::int64_t after_seq, std::int64_t limit) {
  if (source.empty()) {
    sql_->failed_all.bind(1, after_seq).bind(2, limit);
    return event_rows(sql_->failed_all);
  }
  sql_->failed_of_source.bind(1, source).bind(2, after_seq).bind(3, limit);
  return event_rows(sql_->failed_of_source);
}

std::int64_t SqliteStore::count_live_profiles() { return single_integer(sql_->count_live); }

std::vector<ProfilePlace> SqliteStore::recent_profiles(const std::optional<ProfilePlace>& after, std::int64_t limit) {
  return search_->recent(after, limit);
}

std::int64_t SqliteStore::count_search_terms(const TermRange& range, std::int64_t cap) { return search_->count_terms(range, cap); }

std::vector<ProfilePlace> SqliteStore::search_by_terms(const TermRange& range, const std::optional<ProfilePlace>& after, std::int64_t limit) {
  return search_->by_terms(range, after, limit);
}

std::vector<ProfilePlace> SqliteStore::search_by_recency(const TermRange& range, const std::optional<ProfilePlace>& after,
                                                         std::int64_t limit, std::int64_t scan) {
  return search_->by_recency(range, after, limit, scan);
}

std::optional<std::vector<std::string>> SqliteStore::search_profile_ids(const TermRange& range, std::int64_t cap) {
  return search_->profile_ids(range, cap);
}

// A deferred transaction: its snapshot is taken by the first read and kept until the end.
void SqliteStore::begin_snapshot() { db_.exec("BEGIN"); }
void SqliteStore::end_snapshot() { db_.exec("COMMIT"); }

void SqliteStore::each_live_profile(const std::function<bool(const ProfileRecord&)>& each) {
  auto s = db_.prepare("SELECT id, created_at, updated_at, traits, created_for_type, created_for_value FROM profiles "
                       "WHERE merged_into IS NULL AND redirected_at IS NULL ORDER BY id");
  while (s.step())
    if (!each(profile_row(s))) break;
}

void SqliteStore::each_event(std::int64_t since, std::string_view source, const std::function<bool(const EventRecord&)>& each) {
  auto s = db_.prepare(select_events_without_trace("WHERE received_at >= ?1 AND (?2 = '' OR source = ?2) ORDER BY seq"));
  s.bind(1, since).bind(2, source);
  while (s.step())
    if (!each(event_row(s))) break;
}

std::vector<std::string> SqliteStore::check() {
  std::vector<std::string> problems;
  try {
    auto integrity = db_.prepare("PRAGMA integrity_check");
    while (integrity.step())
      if (integrity.text(0) != "ok") problems.push_back("integrity_check: " + std::string(integrity.text(0)));
  } catch (const StoreError& e) {  // a page too damaged to read at all
    problems.push_back(std::string("integrity_check: ") + e.what());
    return problems;
  }
  auto foreign_keys = db_.prepare("PRAGMA foreign_key_check");
  std::int64_t dangling = 0;
  while (foreign_keys.step()) ++dangling;
  if (dangling) problems.push_back(std::to_string(dangling) + " rows whose foreign key points at no row (foreign_key_check)");
  for (const auto& invariant : store_invariants::all) {
    auto count = db_.prepare(invariant.count_sql);
    if (const std::int64_t n = single_integer(count); n > 0) problems.push_back(std::to_string(n) + " " + invariant.broken);
  }
  return problems;
}

}  // namespace weft
