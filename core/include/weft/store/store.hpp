// The store's primitives: what the identity rules (identity.hpp) and the ingest pipeline need
// from a database. The rules of SPEC 6 live in the core, on top of these; a backend only
// stores and fetches. All writes happen inside the writer's transaction.
#pragma once

#include "weft/store/outbox.hpp"
#include "weft/store/stored_trace.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

// A store that cannot do what was asked: unreachable, corrupt, or a constraint broken.
class StoreError : public std::runtime_error {
public:
  explicit StoreError(const std::string& message, bool retryable = false) : std::runtime_error(message), retryable_(retryable) {}
  // A conflict with another writer (serialization failure, deadlock): running the whole
  // transaction again may succeed.
  bool retryable() const { return retryable_; }

private:
  bool retryable_;
};

struct Identifier {
  std::string type;
  std::string value;
};

// "TYPE:VALUE", both non-empty (the value may hold ':'), as the API and the command line write
// an identifier; nullopt otherwise.
inline std::optional<Identifier> parse_identifier(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  return Identifier{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

struct ProfileRecord {
  std::string id;
  std::int64_t created_at = 0;  // microseconds
  std::int64_t updated_at = 0;
  std::string traits = "{}";    // a JSON object
  // The identifier the profile was created for (its grouper's), so that a re-derivation can
  // give a re-created profile its old id back (SPEC 13); none for profiles of older schemas.
  std::optional<Identifier> created_for{};
};

// An identifier's row. Besides pointing at a live profile it may hold rules of an operator's
// (SPEC 13): removed, so ignored in events received before `ignored_before`; blocked, so
// ignored in every event. A row with rules may point at no profile.
struct IdentifierState {
  std::optional<std::string> profile_id;
  std::optional<std::int64_t> ignored_before;
  std::optional<std::int64_t> blocked_at;

  // Whether an event received at `received_at` must treat the identifier as missing.
  bool ignored_for(std::int64_t received_at) const { return blocked_at || (ignored_before && received_at < *ignored_before); }
};

struct BlockedIdentifier {
  Identifier identifier;
  std::int64_t at = 0;
};

struct EventRecord {
  std::int64_t seq = 0;    // arrival order in this store, set when loaded; cursors page by it
  std::string id;
  std::string source;
  std::string type;
  std::int64_t received_at = 0;
  std::optional<std::string> profile_id;
  std::string status;      // processed | failed
  std::string payload;     // JSON
  std::string properties;  // JSON object
  // Read: the SPEC 8 JSON array. Written: that array, or the compact form of a run of the
  // workflow of `trace_shape` (stored_trace.hpp), which the store then keeps too.
  std::string trace;
  std::optional<std::string> error;
  std::shared_ptr<const TraceShape> trace_shape;  // written only
  // A failed event with no profile: the profile it was run for, so that an erasure of that
  // person takes it too (SPEC 14). Written only.
  std::optional<std::string> owner;
};

struct MergeRecord {
  std::string survivor;
  std::string merged;
  std::optional<Identifier> identifier;  // none for an operator's merge (SPEC 13)
  std::optional<std::string> event_id;   // likewise
  std::int64_t at = 0;
  std::string merged_snapshot;  // the merged profile (SPEC 2) just before the merge, JSON
  std::optional<std::string> reason;     // an operator's merge: why
  std::optional<std::string> traits_policy;  // an operator's merge: keep_survivor | most_recent
};

// Where an event stands in the order re-derivation runs events in (SPEC 13): received_at,
// then arrival.
struct EventKey {
  std::int64_t received_at = 0;
  std::int64_t seq = 0;
};

// A profile row as stored, and the live profile it stands for (itself, or its survivor).
struct StoredProfile {
  ProfileRecord profile;
  std::string live_id;
  bool redirected = false;  // a redirected row (see insert_redirect), live or not
};

// What an erasure deleted (SPEC 14), and the identifiers it took, to be suppressed.
struct Erased {
  std::int64_t profiles = 0;
  std::int64_t identifiers = 0;
  std::int64_t events = 0;
  std::int64_t merges = 0;
  std::int64_t unattributed_events = 0;  // events of no profile that held one of the identifiers
  std::int64_t messages = 0;             // the outbox's messages of the person (SPEC 17)
  std::vector<Identifier> erased_identifiers;  // held, removed or blocked: to be suppressed
  std::vector<std::string> erased_ids;         // the profile rows that answered for the person
};

// A live profile's place in the list of profiles, most recently updated first, then by id
// (descending): what SPEC 8's profile listing and search page by.
struct ProfilePlace {
  std::int64_t updated_at = 0;
  std::string id;
};

// The search terms from `low` (included) to `high` (excluded): those that start with a
// query's folded prefix (search_terms.hpp).
struct TermRange {
  std::string low;
  std::string high;
};

// An identifier and the live profile it points at.
struct IdentifierOwner {
  Identifier identifier;
  std::string profile_id;
};

// What an operator did (SPEC 13): one row per merge, removal, block, re-derivation, rebuild or
// erasure, never holding personal data beyond the profile ids it names.
struct OperationRecord {
  std::int64_t seq = 0;  // set when loaded; cursors page by it, newest first
  std::string id;
  std::int64_t at = 0;
  std::string kind;      // merge | remove_identifier | block | unblock | rederive | rebuild | erase
  std::string profiles;  // JSON array of the profile ids it concerned
  std::optional<std::string> reason;
  std::string result;    // JSON: what it did
};

class Store {
public:
  virtual ~Store() = default;

  // Whether other processes may write the same database at the same time, so that a batch can
  // fail with a retryable conflict (PostgreSQL) rather than never (SQLite: one writer).
  virtual bool shared_by_processes() const { return false; }

  // Who may write (SPEC 13): serving processes and back-fills hold the store shared while they
  // run; a command that needs it to itself (weft rebuild, weft profiles without --url) holds it
  // exclusively. False when another process holds it the other way. Kept until the store is
  // closed.
  virtual bool hold(bool exclusive) = 0;

  // The writer's transaction, with one nested savepoint at a time (one per event).
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  virtual void savepoint() = 0;
  virtual void release_savepoint() = 0;
  virtual void rollback_to_savepoint() = 0;
  // A hint for back-fills (weft ingest), whose transactions hold tens of thousands of events:
  // SQLite then keeps more pages in memory, so that a transaction's changed pages need not be
  // written out before its COMMIT and again after.
  virtual void expect_large_transactions() {}
  // A hint for a pool's reader connections (weft serve's API and gauges): SQLite keeps a small
  // page cache for each, as several of them would otherwise fill 32 MiB apiece with pages that
  // the OS caches once (a count over a million messages reads ~16 MiB of index).
  virtual void expect_reads_only() {}

  // The identifier's row, if it has one: its live profile and its rules.
  virtual std::optional<IdentifierState> identifier_state(std::string_view type, std::string_view value) = 0;
  // The profile an identifier points at (always a live one), if any.
  std::optional<std::string> find_identifier(std::string_view type, std::string_view value) {
    auto state = identifier_state(type, value);
    return state ? state->profile_id : std::nullopt;
  }
  // A new identifier, with no row yet.
  virtual void insert_identifier(std::string_view type, std::string_view value, std::string_view profile_id, std::int64_t at) = 0;
  // An identifier whose row holds rules and no profile, now pointing at `profile_id`.
  virtual void attach_identifier(std::string_view type, std::string_view value, std::string_view profile_id, std::int64_t at) = 0;
  // Takes the identifier from its profile and keeps its row as rules: ignored in events received
  // before `ignored_before` (the later of this and an earlier removal), and blocked from
  // `blocked_at` when given. The row must exist.
  virtual void detach_identifier(std::string_view type, std::string_view value, std::int64_t ignored_before,
                                 std::optional<std::int64_t> blocked_at) = 0;
  // Lifts a block; false when the identifier was not blocked.
  virtual bool unblock_identifier(std::string_view type, std::string_view value) = 0;
  virtual std::vector<BlockedIdentifier> blocked_identifiers() = 0;
  virtual std::vector<Identifier> identifiers(std::string_view profile_id) = 0;
  virtual std::int64_t count_identifiers(std::string_view profile_id, std::string_view type) = 0;

  virtual void insert_profile(const ProfileRecord& profile) = 0;
  // The live profile `id` stands for: itself, the survivor it was merged into, or for a
  // redirected row the holder of the identifier it was created for.
  virtual std::optional<ProfileRecord> load_profile(std::string_view id) = 0;
  virtual void save_traits(std::string_view profile_id, std::string_view traits, std::int64_t updated_at) = 0;
  virtual void touch_profile(std::string_view profile_id, std::int64_t updated_at) = 0;
  // Ids of the profiles merged (or redirected) into `profile_id`, oldest first.
  virtual std::vector<std::string> aliases(std::string_view profile_id) = 0;
  // Merged profiles only: the original profiles `profile_id` stands for besides itself.
  virtual std::int64_t count_aliases(std::string_view profile_id) = 0;

  // Moves the merged profile's identifiers, events, aliases and event count to the survivor,
  // marks it merged, and sets the survivor's traits and updated_at.
  virtual void merge_profiles(std::string_view survivor, std::string_view merged, std::string_view survivor_traits,
                              std::int64_t at) = 0;
  virtual void insert_merge(const MergeRecord& merge) = 0;
  virtual std::vector<MergeRecord> merges(std::string_view survivor) = 0;

  // Re-derivation (SPEC 13) works on a scope: a live profile with every profile merged or
  // redirected into it, or (nullopt) the whole store.
  using Scope = std::optional<std::string_view>;
  // The scope's profile rows as stored (merges not followed; traits left empty), oldest first.
  virtual std::vector<StoredProfile> profile_rows(Scope scope) = 0;
  // The scope's processed events (the whole store: every processed event, with a profile or not).
  virtual std::vector<EventKey> event_keys(Scope scope) = 0;
  // The scope's merge records, oldest first, without snapshots; operators' merges only when asked.
  virtual std::vector<MergeRecord> merge_log(Scope scope, bool operators_only) = 0;
  // Deletes the scope's profile rows and merge records, and frees its identifiers: rows that hold
  // an operator's rules stay, pointing at no profile; the others are deleted. Its events still
  // name the old profiles until they are run again.
  virtual void set_aside(Scope scope) = 0;
  // A profile row that answers for whichever live profile holds the identifier it was created
  // for, looked up when read (so it follows that identifier through later merges, removals and
  // re-derivations), and for itself, empty, while none does. Listed in the holder's aliases;
  // neither live nor counted in the limits.
  virtual void insert_redirect(const ProfileRecord& profile, std::int64_t at) = 0;
  // Every identifier that points at a profile, for `weft rebuild --dry-run`'s comparison.
  virtual std::vector<IdentifierOwner> identifier_owners() = 0;

  virtual void insert_operation(const OperationRecord& operation) = 0;
  // Newest first: operations with seq below `before_seq` (0: from the newest), at most `limit`;
  // of one kind only when `kind` is not empty.
  virtual std::vector<OperationRecord> operations(std::int64_t before_seq, std::int64_t limit, std::string_view kind = {}) = 0;

  // The messages for destinations (SPEC 17), in the same transactions as everything else.
  virtual Outbox& outbox() = 0;

  // Erasure (SPEC 14). Deletes the live profile `live_id` and every row answering for it, all
  // their identifiers (those removed or blocked from them too), their events (payload,
  // properties, trace; failed ones run for them too), the events of no profile whose payload
  // holds one of those identifier values (payload_values.hpp), the merge records naming any
  // of them, the reason and result of operations naming them (their ids there become
  // "erased"), unlinks the idempotency keys of the deleted events (the keys stay, so a
  // redelivery is known), and deletes the outbox's messages of those profiles, with their
  // attempts. Deleted bytes are overwritten, not only unlinked (SQLite:
  // secure_delete).
  virtual Erased erase_profile(std::string_view live_id) = 0;
  // After an erasure commits, on the writer's thread: asks that no deleted byte stay readable
  // in the store's files (SQLite: the WAL copied into the database and cut to nothing) and
  // returns the wait for it (empty: nothing to wait for), which another thread may run while
  // the writer goes on; the wait throws StoreError when it could not be done.
  virtual std::function<void()> scrub_after_erasure() { return {}; }
  // Whether erasures need that scrub before they are complete (SQLite); then an erasure is
  // recorded with "complete": false until marked once its scrub was done.
  virtual bool erasures_need_scrub() const { return false; }
  virtual std::vector<std::string> incomplete_erasures() { return {}; }  // operation ids, oldest first
  virtual void mark_erasure_complete(std::string_view /*operation_id*/) {}
  // The store's secret for suppression hashes: random, made once with the store, never shown.
  virtual const std::string& suppression_key() = 0;
  virtual void insert_suppressed(std::string_view hash, std::int64_t at) = 0;
  virtual bool is_suppressed(std::string_view hash) = 0;

  // Idempotency keys, per source: the first event stored under each; an empty id for a key
  // whose event was erased.
  virtual std::optional<std::string> find_idempotency_key(std::string_view source, std::string_view key) = 0;
  virtual void insert_idempotency_key(std::string_view source, std::string_view key, std::string_view event_id) = 0;

  virtual void insert_event(const EventRecord& event) = 0;
  // The events of a live profile: derived from the events themselves, never kept in a
  // counter that could drift (and never written on the ingest path).
  virtual std::int64_t count_events(std::string_view profile_id) = 0;
  virtual std::optional<EventRecord> load_event(std::string_view id) = 0;
  virtual std::optional<EventRecord> load_event_at(std::int64_t seq) = 0;
  // Replaces a stored event's outcome (weft replay): status, profile, properties, trace, error.
  // `event.payload` is the stored payload (its values' keys are kept while it has no profile).
  virtual void update_event(const EventRecord& event) = 0;

  // Events of the live profile `profile_id`, after (or, descending, before) cursor `seq`
  // (0: from the start), at most `limit`.
  virtual std::vector<EventRecord> profile_events(std::string_view profile_id, std::int64_t after_seq, std::int64_t limit,
                                                  bool descending) = 0;
  // Failed events, oldest first, of one source or (empty) all, after `seq`.
  virtual std::vector<EventRecord> failed_events(std::string_view source, std::int64_t after_seq, std::int64_t limit) = 0;
  virtual std::int64_t count_live_profiles() = 0;

  // Live profiles in the listing's order after `after` (none: from the newest), at most `limit`.
  virtual std::vector<ProfilePlace> recent_profiles(const std::optional<ProfilePlace>& after, std::int64_t limit) = 0;
  // Search (SPEC 8, search_terms.hpp): a profile matches when one of its identifiers' values or
  // one of its traits' terms lies in the range. profile_search.hpp chooses between the two ways.
  // How many identifiers and trait terms lie in the range, counted up to `cap` each.
  virtual std::int64_t count_search_terms(const TermRange& range, std::int64_t cap) = 0;
  // The matching live profiles in the listing's order, found from the terms: costs every match.
  virtual std::vector<ProfilePlace> search_by_terms(const TermRange& range, const std::optional<ProfilePlace>& after,
                                                    std::int64_t limit) = 0;
  // The same, found by testing the listing's profiles in order, at most `scan` of them: costs
  // the profiles passed over. Fewer than `limit` when the list or the scan ran out.
  virtual std::vector<ProfilePlace> search_by_recency(const TermRange& range, const std::optional<ProfilePlace>& after,
                                                      std::int64_t limit, std::int64_t scan) = 0;
  // The ids of the matching live profiles, in no order, read from the terms alone (no profile
  // row: a few pages per thousand matches); nullopt when there are more than `cap`.
  virtual std::optional<std::vector<std::string>> search_profile_ids(const TermRange& range, std::int64_t cap) = 0;

  // A read-only transaction on a reader's connection: every read until end_snapshot sees the
  // store as it was at the first (export, SPEC 8). Not for the writer.
  virtual void begin_snapshot() = 0;
  virtual void end_snapshot() = 0;
  // Every live profile, by id, each handed to `each` (in the snapshot when one is open);
  // `each` returns false to stop.
  virtual void each_live_profile(const std::function<bool(const ProfileRecord&)>& each) = 0;
  // Processed and failed events in arrival order, received at `since` or later, of one source
  // or (empty) all; without their traces.
  virtual void each_event(std::int64_t since, std::string_view source, const std::function<bool(const EventRecord&)>& each) = 0;

  // What is wrong with the store, each a sentence naming what and how much (weft check):
  // the database's own checks where it has them (SQLite's integrity_check), and what holds of
  // every weft store (identifiers held by live profiles, merge chains flattened). Empty when
  // nothing is. Reads only.
  virtual std::vector<std::string> check() = 0;
};

// A snapshot (Store::begin_snapshot) for the life of a scope.
class ReadSnapshot {
public:
  explicit ReadSnapshot(Store& store) : store_(store) { store_.begin_snapshot(); }
  ~ReadSnapshot() {
    try {
      store_.end_snapshot();
    } catch (const StoreError&) {  // a read-only transaction: nothing is lost with it
    }
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

private:
  Store& store_;
};

}  // namespace weft
