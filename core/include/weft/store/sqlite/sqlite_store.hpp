// The embedded store: one SQLite file (WAL, synchronous=FULL), schema versioned and migrated
// on open. One SqliteStore is one connection; the writer owns one, readers open their own.
// The writer's WAL is checkpointed by a background thread (sqlite_checkpointer.hpp).
#pragma once

#include "weft/store/sqlite/sqlite.hpp"
#include "weft/store/sqlite/sqlite_checkpointer.hpp"
#include "weft/store/store.hpp"

#include <memory>
#include <string>

namespace weft {
namespace payload_values {
class ValueKeys;
}
class SqliteOutbox;
class SqliteProfileSearch;

class SqliteStore final : public Store {
public:
  // Opens or creates the database at `path` and brings its schema to the current version.
  explicit SqliteStore(const std::string& path, SqliteWal wal = SqliteWal::weft_log);
  ~SqliteStore() override;

  static constexpr int schema_version = 17;  // = sqlite_schema::migrations.size()

  bool hold(bool exclusive) override;
  void begin() override;
  void commit() override;
  void rollback() override;
  void savepoint() override;
  void release_savepoint() override;
  void rollback_to_savepoint() override;
  void expect_large_transactions() override;
  void expect_reads_only() override;

  std::optional<IdentifierState> identifier_state(std::string_view type, std::string_view value) override;
  void insert_identifier(std::string_view type, std::string_view value, std::string_view profile_id, std::int64_t at) override;
  void attach_identifier(std::string_view type, std::string_view value, std::string_view profile_id, std::int64_t at) override;
  void detach_identifier(std::string_view type, std::string_view value, std::int64_t ignored_before,
                         std::optional<std::int64_t> blocked_at) override;
  bool unblock_identifier(std::string_view type, std::string_view value) override;
  std::vector<BlockedIdentifier> blocked_identifiers() override;
  std::vector<Identifier> identifiers(std::string_view profile_id) override;
  std::int64_t count_identifiers(std::string_view profile_id, std::string_view type) override;

  void insert_profile(const ProfileRecord& profile) override;
  std::optional<ProfileRecord> load_profile(std::string_view id) override;
  void save_traits(std::string_view profile_id, std::string_view traits, std::int64_t updated_at) override;
  void touch_profile(std::string_view profile_id, std::int64_t updated_at) override;
  std::vector<std::string> aliases(std::string_view profile_id) override;
  std::int64_t count_aliases(std::string_view profile_id) override;

  void merge_profiles(std::string_view survivor, std::string_view merged, std::string_view survivor_traits, std::int64_t at) override;
  void insert_merge(const MergeRecord& merge) override;
  std::vector<MergeRecord> merges(std::string_view survivor) override;
  std::vector<StoredProfile> profile_rows(Scope scope) override;
  std::vector<EventKey> event_keys(Scope scope) override;
  std::vector<MergeRecord> merge_log(Scope scope, bool operators_only) override;
  void set_aside(Scope scope) override;
  void insert_redirect(const ProfileRecord& profile, std::int64_t at) override;
  std::vector<IdentifierOwner> identifier_owners() override;
  void insert_operation(const OperationRecord& operation) override;
  std::vector<OperationRecord> operations(std::int64_t before_seq, std::int64_t limit, std::string_view kind = {}) override;
  Outbox& outbox() override;
  Erased erase_profile(std::string_view live_id) override;
  std::function<void()> scrub_after_erasure() override;
  bool erasures_need_scrub() const override { return true; }
  std::vector<std::string> incomplete_erasures() override;
  void mark_erasure_complete(std::string_view operation_id) override;
  const std::string& suppression_key() override { return suppression_key_; }
  void insert_suppressed(std::string_view hash, std::int64_t at) override;
  bool is_suppressed(std::string_view hash) override;

  std::optional<std::string> find_idempotency_key(std::string_view source, std::string_view key) override;
  void insert_idempotency_key(std::string_view source, std::string_view key, std::string_view event_id) override;

  void insert_event(const EventRecord& event) override;
  std::int64_t count_events(std::string_view profile_id) override;
  std::optional<EventRecord> load_event(std::string_view id) override;
  std::optional<EventRecord> load_event_at(std::int64_t seq) override;
  void update_event(const EventRecord& event) override;
  std::vector<EventRecord> profile_events(std::string_view profile_id, std::int64_t after_seq, std::int64_t limit,
                                          bool descending) override;
  std::vector<EventRecord> failed_events(std::string_view source, std::int64_t after_seq, std::int64_t limit) override;
  std::int64_t count_live_profiles() override;
  std::vector<ProfilePlace> recent_profiles(const std::optional<ProfilePlace>& after, std::int64_t limit) override;
  std::int64_t count_search_terms(const TermRange& range, std::int64_t cap) override;
  std::vector<ProfilePlace> search_by_terms(const TermRange& range, const std::optional<ProfilePlace>& after, std::int64_t limit) override;
  std::vector<ProfilePlace> search_by_recency(const TermRange& range, const std::optional<ProfilePlace>& after, std::int64_t limit,
                                              std::int64_t scan) override;
  std::optional<std::vector<std::string>> search_profile_ids(const TermRange& range, std::int64_t cap) override;
  void begin_snapshot() override;
  void end_snapshot() override;
  void each_live_profile(const std::function<bool(const ProfileRecord&)>& each) override;
  void each_event(std::int64_t since, std::string_view source, const std::function<bool(const EventRecord&)>& each) override;
  std::vector<std::string> check() override;

  SqliteDb& db() { return db_; }

private:
  void migrate();
  void keep_trace_shape(const EventRecord& e);
  std::vector<EventRecord> event_rows(SqliteStatement& s);
  std::optional<EventRecord> one_event(SqliteStatement& s);
  EventRecord event_row(const SqliteStatement& s);
  void keep_value_keys(std::int64_t seq, std::string_view payload);
  void erase_event_at(std::int64_t seq);
  void index_pending_values();
  std::int64_t erase_unattributed(const std::vector<Identifier>& identifiers);
  std::int64_t erase_owned_events(std::string_view live_id);
  void scrub_operations(std::string_view live_id);

  std::string path_;
  SqliteDb db_;
  int hold_fd_ = -1;
  std::string suppression_key_;
  std::unique_ptr<payload_values::ValueKeys> value_keys_;  // made from the suppression key
  struct Statements;
  std::unique_ptr<Statements> sql_;  // destroyed before db_: statements finalize first
  std::unique_ptr<SqliteOutbox> outbox_;  // likewise
  std::unique_ptr<SqliteProfileSearch> search_;
  TraceShapes trace_shapes_;
  WrittenShapes written_shapes_;
  // Started by the first write transaction: connections that only read never checkpoint.
  std::unique_ptr<SqliteCheckpointer> checkpointer_;
  SqliteCheckpointer& checkpointer();
};

}  // namespace weft
