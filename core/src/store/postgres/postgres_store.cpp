#include "weft/store/postgres/postgres_store.hpp"

#include "store/migrations.hpp"
#include "weft/base/hmac.hpp"
#include "weft/store/payload_values.hpp"
#include "store/profile_sql.hpp"
#include "store/random_key.hpp"
#include "store/store_invariants.hpp"
#include "postgres_schema.hpp"

#include "store/event_rows_sql.hpp"
#include "postgres_connection.hpp"
#include "postgres_outbox.hpp"
#include "postgres_profile_search.hpp"
#include "weft/store/search_terms.hpp"

#include <limits>
#include <map>
#include <vector>

namespace weft {
namespace {

using pg::Param;
using pg::Result;

ProfileRecord profile_row(const Result& r, int row) {
  ProfileRecord p{r.text(row, 0), r.integer(row, 1), r.integer(row, 2), r.text(row, 3), std::nullopt};
  if (!r.is_null(row, 4)) p.created_for = Identifier{r.text(row, 4), r.text(row, 5)};
  return p;
}

}  // namespace

EventRecord PostgresStore::event_row(const Result& r, int row) {
  const auto shape_of = [this](std::string_view key) -> std::optional<std::string> {
    Result s = connection_->run("trace_shape", {key});
    if (s.rows() == 0) return std::nullopt;
    return s.text(0, 0);
  };
  return EventRecord{r.integer(row, 0), r.text(row, 1), r.text(row, 2), r.text(row, 3), r.integer(row, 4), r.optional_text(row, 5),
                     r.text(row, 6),    r.text(row, 7), r.text(row, 8), trace_shapes_.expand(r.text(row, 9), shape_of),
                     r.optional_text(row, 10), nullptr, std::nullopt};
}

std::vector<EventRecord> PostgresStore::event_rows(const Result& r) {
  std::vector<EventRecord> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(event_row(r, i));
  return out;
}

// Queued with the event's own statement; DO NOTHING: another process may have stored the shape.
void PostgresStore::keep_trace_shape(const EventRecord& e) {
  if (!e.trace_shape || !written_shapes_.needed(e.trace_shape->key)) return;
  connection_->queue("insert_trace_shape", {e.trace_shape->key, e.trace_shape->json});
  written_shapes_.wrote(e.trace_shape->key);
}

static_assert(PostgresStore::schema_version == postgres_schema::migrations.size());

PostgresStore::PostgresStore(const std::string& url) : connection_(std::make_unique<pg::Connection>(url)) {
  pg::Connection& c = *connection_;
  // One migrator at a time, when several processes start together.
  c.exec_now("SELECT pg_advisory_lock(7265667)");
  try {
    c.exec_now("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const Result version = c.exec_now("SELECT max(version) FROM schema_version");
    apply_migrations(version.is_null(0, 0) ? 0 : static_cast<int>(version.integer(0, 0)), postgres_schema::migrations, "BEGIN",
                     [&c](const std::string& sql) { c.exec_now(sql); });
  } catch (...) {
    c.exec_now("SELECT pg_advisory_unlock(7265667)");
    throw;
  }
  c.exec_now("SELECT pg_advisory_unlock(7265667)");
  // Two batches that lock the same profiles in opposite orders deadlock; PostgreSQL finds
  // that only after deadlock_timeout (1 s by default, settable only by a superuser). A lock
  // wait longer than any batch takes fails sooner, and the batch is retried.
  c.session("SET lock_timeout = '100ms'");
  // The suppression key: made once, by whichever process first finds none.
  c.exec_now("INSERT INTO store_keys (name, value) VALUES ('suppression', '" + random_hex(32) + "') ON CONFLICT DO NOTHING");
  suppression_key_ = c.exec_now("SELECT value FROM store_keys WHERE name = 'suppression'").text(0, 0);
  value_keys_ = std::make_unique<payload_values::ValueKeys>(suppression_key_);

  c.prepare("identifier_state", "SELECT profile_id, ignored_before, blocked_at FROM identifiers WHERE type = $1 AND value = $2");
  c.prepare("attach_identifier", "UPDATE identifiers SET profile_id = $3, added_at = $4 WHERE type = $1 AND value = $2 AND profile_id IS NULL "
                                 "RETURNING 1");
  c.prepare("detach_identifier", "UPDATE identifiers SET taken_from = coalesce(profile_id, taken_from), profile_id = NULL, ignored_before = greatest(coalesce(ignored_before, 0), $3), "
                                 "blocked_at = coalesce(blocked_at, $4::bigint) WHERE type = $1 AND value = $2");
  c.prepare("unblock_identifier", "UPDATE identifiers SET blocked_at = NULL WHERE type = $1 AND value = $2 AND blocked_at IS NOT NULL RETURNING 1");
  c.prepare("blocked_identifiers", "SELECT type, value, blocked_at FROM identifiers WHERE blocked_at IS NOT NULL ORDER BY blocked_at, type, value");
  c.prepare("insert_identifier", "INSERT INTO identifiers (type, value, profile_id, added_at, search) VALUES ($1, $2, $3, $4, $5)");
  c.prepare("identifiers", "SELECT type, value FROM identifiers WHERE profile_id = $1 ORDER BY added_at, type, value");
  c.prepare("count_identifiers", "SELECT count(*) FROM identifiers WHERE profile_id = $1 AND type = $2");
  c.prepare("insert_profile", "INSERT INTO profiles (id, created_at, updated_at, traits, created_for_type, created_for_value) "
                              "VALUES ($1, $2, $3, $4, $5, $6)");
  c.prepare("load_profile", profile_sql::load_profile("$1"));
  c.prepare("save_traits", "UPDATE profiles SET traits = $2, updated_at = $3 WHERE id = $1");
  c.prepare("touch", "UPDATE profiles SET updated_at = $2 WHERE id = $1");
  c.prepare("aliases", profile_sql::aliases("$1"));
  c.prepare("count_aliases", "SELECT count(*) FROM profiles WHERE merged_into = $1");
  // Both rows of a merge are locked in id order, so concurrent merges cannot deadlock.
  c.prepare("lock_pair", "SELECT id FROM profiles WHERE id IN ($1, $2) ORDER BY id FOR UPDATE");
  c.prepare("move_identifiers", "UPDATE identifiers SET profile_id = $1 WHERE profile_id = $2");
  c.prepare("move_events", "UPDATE events SET profile_id = $1 WHERE profile_id = $2");
  c.prepare("move_aliases", "UPDATE profiles SET merged_into = $1 WHERE merged_into = $2");
  c.prepare("retire", "UPDATE profiles SET merged_into = $1, merged_at = $3 WHERE id = $2");
  c.prepare("insert_merge", "INSERT INTO merges (survivor, merged, identifier_type, identifier_value, event_id, at, merged_snapshot, reason, "
                            "traits_policy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
  // A profile's scope (SPEC 13): the live profile $1 and the profiles merged into it.
  const std::string survivor_in_scope = "(survivor = $1 OR survivor IN (SELECT id FROM profiles WHERE merged_into = $1))";
  c.prepare("merges", "SELECT survivor, merged, identifier_type, identifier_value, event_id, at, merged_snapshot, reason, traits_policy "
                      "FROM merges WHERE " + survivor_in_scope + " ORDER BY seq");
  c.prepare("profile_rows", profile_sql::profile_rows("$1"));
  c.prepare("all_profile_rows", profile_sql::all_profile_rows());
  c.prepare("event_keys", "SELECT received_at, seq FROM events WHERE profile_id = $1 AND status = 'processed'");
  c.prepare("all_event_keys", "SELECT received_at, seq FROM events WHERE status = 'processed'");
  const std::string merge_log_columns = "SELECT survivor, merged, identifier_type, identifier_value, event_id, at, '', reason, traits_policy FROM merges ";
  c.prepare("merge_log", merge_log_columns + "WHERE " + survivor_in_scope + " AND ($2 = 0 OR identifier_type IS NULL) ORDER BY at, seq");
  c.prepare("all_merge_log", merge_log_columns + "WHERE $1 = 0 OR identifier_type IS NULL ORDER BY at, seq");
  c.prepare("delete_merges", "DELETE FROM merges WHERE " + survivor_in_scope);
  c.prepare("delete_free_identifiers", "DELETE FROM identifiers WHERE profile_id = $1 AND ignored_before IS NULL AND blocked_at IS NULL");
  c.prepare("free_identifiers", "UPDATE identifiers SET profile_id = NULL WHERE profile_id = $1");
  c.prepare("delete_profiles", "DELETE FROM profiles WHERE " + profile_sql::in_scope("$1"));
  c.prepare("insert_redirect", "INSERT INTO profiles (id, created_at, updated_at, traits, created_for_type, created_for_value, redirected_at) "
                               "VALUES ($1, $2, $3, '{}', $4, $5, $6)");
  c.prepare("identifier_owners", "SELECT type, value, profile_id FROM identifiers WHERE profile_id IS NOT NULL");
  c.prepare("load_event_at", select_events("WHERE seq = $1"));
  c.prepare("count_scope", "SELECT count(*) FROM profiles WHERE " + profile_sql::in_scope("$1"));
  c.prepare("erase_merges", "DELETE FROM merges WHERE survivor IN (SELECT id FROM profiles WHERE " + profile_sql::in_scope("$1") +
                                ") OR merged IN (SELECT id FROM profiles WHERE " + profile_sql::in_scope("$1") + ") RETURNING 1");
  c.prepare("unlink_keys", "UPDATE idempotency_keys SET event_id = NULL WHERE event_id IN (SELECT id FROM events WHERE profile_id = $1)");
  c.prepare("erase_events", "DELETE FROM events WHERE profile_id = $1 RETURNING 1");
  c.prepare("erase_profiles", "DELETE FROM profiles WHERE " + profile_sql::in_scope("$1") + " RETURNING 1");
  c.prepare("erase_identifiers", "DELETE FROM identifiers WHERE profile_id = $1 RETURNING 1");
  c.prepare("insert_suppressed", "INSERT INTO suppressed (hash, at) VALUES ($1, $2) ON CONFLICT DO NOTHING");
  c.prepare("is_suppressed", "SELECT 1 FROM suppressed WHERE hash = $1");
  c.prepare("insert_operation", "INSERT INTO operations (id, at, kind, profiles, reason, result) VALUES ($1, $2, $3, $4, $5, $6)");
  c.prepare("operations", "SELECT seq, id, at, kind, profiles, reason, result FROM operations WHERE seq < $1 AND ($3 = '' OR kind = $3) "
                          "ORDER BY seq DESC LIMIT $2");
  c.prepare("find_idempotency_key", "SELECT event_id FROM idempotency_keys WHERE source = $1 AND key = $2");
  c.prepare("insert_idempotency_key", "INSERT INTO idempotency_keys (source, key, event_id) VALUES ($1, $2, $3)");
  c.prepare("insert_event", "INSERT INTO events (id, source, type, received_at, profile_id, status, payload, properties, trace, error, owner) "
                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
  c.prepare("insert_values", "INSERT INTO event_values (event_id, keys) VALUES ($1, $2) ON CONFLICT (event_id) DO UPDATE SET keys = excluded.keys");
  c.prepare("delete_values", "DELETE FROM event_values WHERE event_id = $1");
  c.prepare("value_keys", "SELECT event_id, keys FROM event_values");
  c.prepare("unattributed_payload", "SELECT payload FROM events WHERE id = $1 AND profile_id IS NULL");
  c.prepare("pending_values", "SELECT p.event_id, e.payload FROM event_values_pending p JOIN events e ON e.id = p.event_id "
                              "WHERE e.profile_id IS NULL ORDER BY p.event_id LIMIT 10000");
  c.prepare("pending_ids", "SELECT event_id FROM event_values_pending ORDER BY event_id LIMIT 10000");
  c.prepare("clear_pending", "DELETE FROM event_values_pending WHERE event_id <= $1");
  c.prepare("taken_identifiers", "SELECT type, value FROM identifiers WHERE profile_id IS NULL AND taken_from IN "
                                 "(SELECT id FROM profiles WHERE " + profile_sql::in_scope("$1") + ")");
  c.prepare("erase_taken_identifiers", "DELETE FROM identifiers WHERE profile_id IS NULL AND taken_from IN "
                                       "(SELECT id FROM profiles WHERE " + profile_sql::in_scope("$1") + ") RETURNING 1");
  c.prepare("owned_events", "SELECT id FROM events WHERE owner IN (SELECT id FROM profiles WHERE " + profile_sql::in_scope("$1") +
                            ") AND profile_id IS NULL");
  c.prepare("scope_ids", "SELECT id FROM profiles WHERE " + profile_sql::in_scope("$1"));
  c.prepare("unlink_key_of", "UPDATE idempotency_keys SET event_id = NULL WHERE event_id = $1");
  c.prepare("erase_event", "DELETE FROM events WHERE id = $1");
  c.prepare("operations_naming", "SELECT seq, profiles FROM operations WHERE strpos(profiles, $1) > 0 OR strpos(result, $1) > 0");
  c.prepare("scrub_operation", "UPDATE operations SET profiles = $2, reason = NULL, result = '{}' WHERE seq = $1");
  c.prepare("count_events", "SELECT count(*) FROM events WHERE profile_id = $1");
  c.prepare("load_event", select_events("WHERE id = $1"));
  c.prepare("insert_trace_shape", "INSERT INTO trace_shapes (key, nodes) VALUES ($1, $2) ON CONFLICT DO NOTHING");
  c.prepare("trace_shape", "SELECT nodes FROM trace_shapes WHERE key = $1");
  c.prepare("update_event", "UPDATE events SET status = $2, profile_id = $3, properties = $4, trace = $5, error = $6, type = $7, "
                            "owner = coalesce($8, owner) WHERE id = $1");
  c.prepare("events_after", select_events("WHERE profile_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"));
  c.prepare("events_before", select_events("WHERE profile_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"));
  c.prepare("failed_all", select_events("WHERE status = 'failed' AND seq > $1 ORDER BY seq LIMIT $2"));
  c.prepare("failed_of_source", select_events("WHERE status = 'failed' AND source = $1 AND seq > $2 ORDER BY seq LIMIT $3"));
  c.prepare("count_live", profile_sql::count_live);
  outbox_ = std::make_unique<PostgresOutbox>(c);
  search_ = std::make_unique<PostgresProfileSearch>(c);
  c.prepare_done();
  index_pending_values();
}

PostgresStore::~PostgresStore() = default;

// A session-level advisory lock: held while this connection lives. A server whose connection
// is lost and made again no longer holds it (see docs/operations.md).
bool PostgresStore::hold(bool exclusive) {
  const Result r = connection_->run_sql(exclusive ? "SELECT pg_try_advisory_lock(7265669)" : "SELECT pg_try_advisory_lock_shared(7265669)");
  return r.text(0, 0) == "t";
}

// SERIALIZABLE: PostgreSQL detects every anomaly between concurrent batches of several weft
// processes (two creating one identifier, two merging overlapping profiles, an event written
// to a profile another process merges away) and fails one of them, which is then retried.
void PostgresStore::begin() {
  connection_->ensure_connected();
  written_shapes_.discard_open();
  connection_->queue_sql("BEGIN ISOLATION LEVEL SERIALIZABLE");
}
void PostgresStore::commit() {
  connection_->run_sql("COMMIT");
  written_shapes_.committed();
}

void PostgresStore::rollback() { connection_->run_sql("ROLLBACK"); }
void PostgresStore::savepoint() { connection_->queue_sql("SAVEPOINT event"); }
void PostgresStore::release_savepoint() { connection_->queue_sql("RELEASE SAVEPOINT event"); }
void PostgresStore::rollback_to_savepoint() {
  written_shapes_.discard_open();
  connection_->queue_sql("ROLLBACK TO SAVEPOINT event");
}

std::optional<IdentifierState> PostgresStore::identifier_state(std::string_view type, std::string_view value) {
  Result r = connection_->run("identifier_state", {type, value});
  if (r.rows() == 0) return std::nullopt;
  IdentifierState state;
  state.profile_id = r.optional_text(0, 0);
  if (!r.is_null(0, 1)) state.ignored_before = r.integer(0, 1);
  if (!r.is_null(0, 2)) state.blocked_at = r.integer(0, 2);
  return state;
}

void PostgresStore::attach_identifier(std::string_view type, std::string_view value, std::string_view profile_id, std::int64_t at) {
  if (connection_->run("attach_identifier", {type, value, profile_id, at}).rows() != 1)
    throw StoreError("identifier " + std::string(type) + ":" + std::string(value) + " has no free row to attach");
}

void PostgresStore::detach_identifier(std::string_view type, std::string_view value, std::int64_t ignored_before,
                                      std::optional<std::int64_t> blocked_at) {
  const std::optional<std::string> blocked = blocked_at ? std::optional<std::string>(std::to_string(*blocked_at)) : std::nullopt;
  connection_->queue("detach_identifier", {type, value, ignored_before, blocked});
}

bool PostgresStore::unblock_identifier(std::string_view type, std::string_view value) {
  return connection_->run("unblock_identifier", {type, value}).rows() == 1;
}

std::vector<BlockedIdentifier> PostgresStore::blocked_identifiers() {
  Result r = connection_->run("blocked_identifiers");
  std::vector<BlockedIdentifier> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({{r.text(i, 0), r.text(i, 1)}, r.integer(i, 2)});
  return out;
}

void PostgresStore::insert_identifier(std::string_view type, std::string_view value, std::string_view profile_id, std::int64_t at) {
  connection_->queue("insert_identifier", {type, value, profile_id, at, search_terms::fold(value)});
}

std::vector<Identifier> PostgresStore::identifiers(std::string_view profile_id) {
  Result r = connection_->run("identifiers", {profile_id});
  std::vector<Identifier> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1)});
  return out;
}

std::int64_t PostgresStore::count_identifiers(std::string_view profile_id, std::string_view type) {
  return connection_->integer("count_identifiers", {profile_id, type});
}

void PostgresStore::insert_profile(const ProfileRecord& p) {
  const auto part = [&](auto member) { return p.created_for ? std::optional<std::string>((*p.created_for).*member) : std::nullopt; };
  connection_->queue("insert_profile", {p.id, p.created_at, p.updated_at, p.traits, part(&Identifier::type), part(&Identifier::value)});
}

std::optional<ProfileRecord> PostgresStore::load_profile(std::string_view id) {
  Result r = connection_->run("load_profile", {id});
  if (r.rows() == 0) return std::nullopt;
  return profile_row(r, 0);
}

void PostgresStore::save_traits(std::string_view profile_id, std::string_view traits, std::int64_t updated_at) {
  connection_->queue("save_traits", {profile_id, traits, updated_at});
  search_->keep_trait_terms(profile_id, traits);
}

void PostgresStore::touch_profile(std::string_view profile_id, std::int64_t updated_at) {
  connection_->queue("touch", {profile_id, updated_at});
}

std::vector<std::string> PostgresStore::aliases(std::string_view profile_id) {
  Result r = connection_->run("aliases", {profile_id});
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

std::int64_t PostgresStore::count_aliases(std::string_view profile_id) { return connection_->integer("count_aliases", {profile_id}); }

void PostgresStore::merge_profiles(std::string_view survivor, std::string_view merged, std::string_view survivor_traits, std::int64_t at) {
  connection_->queue("lock_pair", {survivor, merged});
  connection_->queue("move_identifiers", {survivor, merged});
  connection_->queue("move_events", {survivor, merged});
  connection_->queue("move_aliases", {survivor, merged});
  save_traits(survivor, survivor_traits, at);
  connection_->queue("retire", {survivor, merged, at});
  search_->drop_trait_terms(merged);
}

void PostgresStore::insert_merge(const MergeRecord& m) {
  const auto part = [&](auto member) { return m.identifier ? std::optional<std::string>((*m.identifier).*member) : std::nullopt; };
  connection_->queue("insert_merge", {m.survivor, m.merged, part(&Identifier::type), part(&Identifier::value), m.event_id, m.at,
                                      m.merged_snapshot, m.reason, m.traits_policy});
}

namespace {

std::vector<MergeRecord> merge_rows(const Result& r) {
  std::vector<MergeRecord> out;
  for (int i = 0; i < r.rows(); ++i) {
    MergeRecord m{r.text(i, 0),         r.text(i, 1),         std::nullopt, r.optional_text(i, 4), r.integer(i, 5), r.text(i, 6),
                  r.optional_text(i, 7), r.optional_text(i, 8)};
    if (!r.is_null(i, 2)) m.identifier = Identifier{r.text(i, 2), r.text(i, 3)};
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::vector<MergeRecord> PostgresStore::merges(std::string_view survivor) { return merge_rows(connection_->run("merges", {survivor})); }

std::vector<StoredProfile> PostgresStore::profile_rows(Scope scope) {
  Result r = scope ? connection_->run("profile_rows", {*scope}) : connection_->run("all_profile_rows");
  std::vector<StoredProfile> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({profile_row(r, i), r.text(i, 6), r.text(i, 7) == "t"});
  return out;
}

std::vector<EventKey> PostgresStore::event_keys(Scope scope) {
  Result r = scope ? connection_->run("event_keys", {*scope}) : connection_->run("all_event_keys");
  std::vector<EventKey> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.integer(i, 0), r.integer(i, 1)});
  return out;
}

std::vector<MergeRecord> PostgresStore::merge_log(Scope scope, bool operators_only) {
  const std::int64_t only = operators_only ? 1 : 0;
  return merge_rows(scope ? connection_->run("merge_log", {*scope, only}) : connection_->run("all_merge_log", {only}));
}

void PostgresStore::set_aside(Scope scope) {
  if (!scope) {
    connection_->run_sql("DELETE FROM merges");
    connection_->run_sql("DELETE FROM identifiers WHERE ignored_before IS NULL AND blocked_at IS NULL");
    connection_->run_sql("UPDATE identifiers SET profile_id = NULL WHERE profile_id IS NOT NULL");
    connection_->run_sql("DELETE FROM profiles");
    return;
  }
  // profiles before identifiers: which redirected rows are in the scope is told by identifiers
  for (const char* statement : {"delete_merges", "delete_profiles", "delete_free_identifiers", "free_identifiers"})
    connection_->queue(statement, {*scope});
}

void PostgresStore::insert_redirect(const ProfileRecord& p, std::int64_t at) {
  const auto part = [&](auto member) { return p.created_for ? std::optional<std::string>((*p.created_for).*member) : std::nullopt; };
  connection_->queue("insert_redirect", {p.id, p.created_at, p.updated_at, part(&Identifier::type), part(&Identifier::value), at});
}

std::vector<IdentifierOwner> PostgresStore::identifier_owners() {
  Result r = connection_->run("identifier_owners");
  std::vector<IdentifierOwner> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({{r.text(i, 0), r.text(i, 1)}, r.text(i, 2)});
  return out;
}

void PostgresStore::insert_operation(const OperationRecord& o) {
  connection_->queue("insert_operation", {o.id, o.at, o.kind, o.profiles, o.reason, o.result});
}

std::vector<OperationRecord> PostgresStore::operations(std::int64_t before_seq, std::int64_t limit, std::string_view kind) {
  Result r = connection_->run("operations", {before_seq > 0 ? before_seq : std::numeric_limits<std::int64_t>::max(), limit, kind});
  std::vector<OperationRecord> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(OperationRecord{r.integer(i, 0), r.text(i, 1), r.integer(i, 2), r.text(i, 3), r.text(i, 4), r.optional_text(i, 5),
                                  r.text(i, 6)});
  return out;
}

std::optional<std::string> PostgresStore::find_idempotency_key(std::string_view source, std::string_view key) {
  Result r = connection_->run("find_idempotency_key", {source, key});
  if (r.rows() == 0) return std::nullopt;
  return r.is_null(0, 0) ? std::string() : r.text(0, 0);
}

// The rows are deleted in the transaction; their dead tuples stay in the table files until
// VACUUM (docs/operations.md says what that means for erasure).
Outbox& PostgresStore::outbox() { return *outbox_; }

Erased PostgresStore::erase_profile(std::string_view live_id) {
  Erased erased;
  erased.profiles = connection_->integer("count_scope", {live_id});
  erased.erased_identifiers = identifiers(live_id);
  const Result taken = connection_->run("taken_identifiers", {live_id});
  for (int i = 0; i < taken.rows(); ++i) erased.erased_identifiers.push_back({taken.text(i, 0), taken.text(i, 1)});

  // operations naming the scope's profiles: their reason and result go, their ids become "erased"
  std::vector<std::string> ids;
  const Result scope = connection_->run("scope_ids", {live_id});
  for (int i = 0; i < scope.rows(); ++i) ids.push_back(scope.text(i, 0));
  erased.erased_ids = ids;
  erased.messages = outbox_->erase_of_scope(live_id);
  std::map<std::int64_t, std::string> naming;
  for (const std::string& id : ids) {
    const Result r = connection_->run("operations_naming", {id});
    for (int i = 0; i < r.rows(); ++i) naming.emplace(r.integer(i, 0), r.text(i, 1));
  }
  for (const auto& [seq, profiles] : naming) connection_->queue("scrub_operation", {seq, payload_values::erased_ids_in(profiles, ids)});

  erased.merges = connection_->run("erase_merges", {live_id}).rows();
  connection_->queue("unlink_keys", {live_id});
  erased.events = connection_->run("erase_events", {live_id}).rows();
  const Result owned = connection_->run("owned_events", {live_id});  // failed events run for them
  for (int i = 0; i < owned.rows(); ++i) erase_event(owned.text(i, 0));
  erased.events += owned.rows();
  erased.identifiers = connection_->run("erase_taken_identifiers", {live_id}).rows();
  connection_->run("erase_profiles", {live_id});
  erased.identifiers += connection_->run("erase_identifiers", {live_id}).rows();

  // events of no profile holding one of the values: those whose kept keys hold one, each checked
  std::vector<std::string> values;
  std::vector<std::uint64_t> keys;
  for (const Identifier& id : erased.erased_identifiers) {
    values.push_back(id.value);
    for (const std::uint64_t key : value_keys_->of_value(id.value)) keys.push_back(key);
  }
  if (keys.empty()) return erased;
  const Result kept = connection_->run("value_keys", {});
  for (int i = 0; i < kept.rows(); ++i) {
    if (!payload_values::holds_key(from_hex(kept.text(i, 1)).value_or(std::string()), keys)) continue;
    const Result payload = connection_->run("unattributed_payload", {kept.text(i, 0)});
    if (payload.rows() == 1 && payload_values::holds_any(payload.text(0, 0), values)) {  // a key can collide
      erase_event(kept.text(i, 0));
      ++erased.unattributed_events;
    }
  }
  return erased;
}

void PostgresStore::erase_event(std::string_view id) {
  connection_->queue("delete_values", {id});
  connection_->queue("unlink_key_of", {id});
  connection_->queue("erase_event", {id});
}

// The keys of an event's payload values, kept while it has no profile.
void PostgresStore::keep_value_keys(std::string_view event_id, std::string_view payload) {
  const std::string packed = value_keys_->of_payload(payload);
  if (!packed.empty()) connection_->queue("insert_values", {event_id, to_hex(packed)});
}

// Events stored before the index existed (schema 9), 10,000 a transaction.
void PostgresStore::index_pending_values() {
  for (;;) {
    connection_->queue_sql("BEGIN");
    try {
      const Result ids = connection_->run("pending_ids", {});
      if (ids.rows() == 0) {
        connection_->run_sql("COMMIT");
        return;
      }
      const Result rows = connection_->run("pending_values", {});
      for (int i = 0; i < rows.rows(); ++i) keep_value_keys(rows.text(i, 0), rows.text(i, 1));
      connection_->run("clear_pending", {ids.text(ids.rows() - 1, 0)});
      connection_->run_sql("COMMIT");
    } catch (...) {
      connection_->run_sql("ROLLBACK");
      throw;
    }
  }
}

void PostgresStore::insert_suppressed(std::string_view hash, std::int64_t at) { connection_->queue("insert_suppressed", {hash, at}); }

bool PostgresStore::is_suppressed(std::string_view hash) { return connection_->run("is_suppressed", {hash}).rows() == 1; }

void PostgresStore::insert_idempotency_key(std::string_view source, std::string_view key, std::string_view event_id) {
  connection_->queue("insert_idempotency_key", {source, key, event_id});
}

void PostgresStore::insert_event(const EventRecord& e) {
  keep_trace_shape(e);
  connection_->queue("insert_event",
                   {e.id, e.source, e.type, e.received_at, e.profile_id, e.status, e.payload, e.properties, e.trace, e.error, e.owner});
  if (!e.profile_id) keep_value_keys(e.id, e.payload);
}

std::int64_t PostgresStore::count_events(std::string_view profile_id) { return connection_->integer("count_events", {profile_id}); }

std::optional<EventRecord> PostgresStore::load_event(std::string_view id) {
  Result r = connection_->run("load_event", {id});
  if (r.rows() == 0) return std::nullopt;
  return event_row(r, 0);
}

std::optional<EventRecord> PostgresStore::load_event_at(std::int64_t seq) {
  Result r = connection_->run("load_event_at", {seq});
  if (r.rows() == 0) return std::nullopt;
  return event_row(r, 0);
}

void PostgresStore::update_event(const EventRecord& e) {
  keep_trace_shape(e);
  connection_->queue("update_event", {e.id, e.status, e.profile_id, e.properties, e.trace, e.error, e.type, e.owner});
  // Its values' keys are kept while it has no profile. Queued, not read first: a read here was
  // a round trip per event of a re-derivation.
  if (e.profile_id)
    connection_->queue("delete_values", {e.id});
  else
    keep_value_keys(e.id, e.payload);
}

std::vector<EventRecord> PostgresStore::profile_events(std::string_view profile_id, std::int64_t after_seq, std::int64_t limit,
                                                       bool descending) {
  const std::int64_t cursor = descending && after_seq == 0 ? std::numeric_limits<std::int64_t>::max() : after_seq;
  Result r = connection_->run(descending ? "events_before" : "events_after", {profile_id, cursor, limit});
  return event_rows(r);
}

std::vector<EventRecord> PostgresStore::failed_events(std::string_view source, std::int64_t after_seq, std::int64_t limit) {
  Result r = source.empty() ? connection_->run("failed_all", {after_seq, limit})
                            : connection_->run("failed_of_source", {source, after_seq, limit});
  return event_rows(r);
}

std::int64_t PostgresStore::count_live_profiles() { return connection_->integer("count_live", {}); }

std::vector<ProfilePlace> PostgresStore::recent_profiles(const std::optional<ProfilePlace>& after, std::int64_t limit) {
  return search_->recent(after, limit);
}

std::int64_t PostgresStore::count_search_terms(const TermRange& range, std::int64_t cap) { return search_->count_terms(range, cap); }

std::vector<ProfilePlace> PostgresStore::search_by_terms(const TermRange& range, const std::optional<ProfilePlace>& after,
                                                         std::int64_t limit) {
  return search_->by_terms(range, after, limit);
}

std::vector<ProfilePlace> PostgresStore::search_by_recency(const TermRange& range, const std::optional<ProfilePlace>& after,
                                                           std::int64_t limit, std::int64_t scan) {
  return search_->by_recency(range, after, limit, scan);
}

std::optional<std::vector<std::string>> PostgresStore::search_profile_ids(const TermRange& range, std::int64_t cap) {
  return search_->profile_ids(range, cap);
}

void PostgresStore::begin_snapshot() {
  connection_->ensure_connected();
  connection_->run_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  in_snapshot_ = true;
}
void PostgresStore::end_snapshot() {
  in_snapshot_ = false;
  connection_->run_sql("COMMIT");
}

// Through a cursor, a thousand rows at a time: never the whole table in memory.
void PostgresStore::each_row(const std::string& select, const std::function<bool(const Result&, int)>& each) {
  const bool own_transaction = !in_snapshot_;
  if (own_transaction) begin_snapshot();
  connection_->run_sql("DECLARE weft_rows NO SCROLL CURSOR FOR " + select);
  bool more = true;
  while (more) {
    const Result r = connection_->run_sql("FETCH 1000 FROM weft_rows");
    for (int i = 0; i < r.rows() && more; ++i) more = each(r, i);
    more = more && r.rows() == 1000;
  }
  connection_->run_sql("CLOSE weft_rows");
  if (own_transaction) end_snapshot();
}

void PostgresStore::each_live_profile(const std::function<bool(const ProfileRecord&)>& each) {
  each_row("SELECT id, created_at, updated_at, traits, created_for_type, created_for_value FROM profiles "
           "WHERE merged_into IS NULL AND redirected_at IS NULL ORDER BY id",
           [&](const Result& r, int row) { return each(profile_row(r, row)); });
}

void PostgresStore::each_event(std::int64_t since, std::string_view source, const std::function<bool(const EventRecord&)>& each) {
  std::string condition = "WHERE received_at >= " + std::to_string(since);
  if (!source.empty()) condition += " AND source = " + connection_->literal(source);
  each_row(select_events_without_trace(condition + " ORDER BY seq"), [&](const Result& r, int row) { return each(event_row(r, row)); });
}

std::vector<std::string> PostgresStore::check() {
  std::vector<std::string> problems;
  for (const auto& invariant : store_invariants::all) {
    const pg::Result result = connection_->run_sql(invariant.count_sql);
    if (const std::int64_t n = result.integer(0, 0); n > 0) problems.push_back(std::to_string(n) + " " + invariant.broken);
  }
  return problems;
}

}  // namespace weft
