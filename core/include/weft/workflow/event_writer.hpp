// Runs workflows on events inside the writer's transaction and stores the outcome (SPEC 3, 6,
// 7): each event is one savepoint, so a rejected, dropped or failing event leaves no trace
// but its own dead letter, while the batch around it commits with one fsync.
#pragma once

#include "weft/event/event_document.hpp"
#include "weft/workflow/executor.hpp"
#include "weft/identity/identity.hpp"
#include "weft/event/json.hpp"
#include "weft/store/store.hpp"
#include "weft/workflow/outbox_writer.hpp"
#include "weft/workflow/workflow.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace weft {

struct WriterStats {
  std::int64_t processed = 0;
  std::int64_t duplicates = 0;
  std::int64_t dropped = 0;
  std::int64_t rejected = 0;
  std::int64_t failed = 0;
  std::int64_t suppressed = 0;  // carrying an erased person's identifier (SPEC 14)
  std::int64_t retries = 0;  // batches run again after a conflict with another process
  IdentityCounters identity;
};

// Fills the event's payload from a JSON body: a top level that is not an object is wrapped as
// {"value": ...} (SPEC 5). Returns what is wrong with a malformed body.
JsonParseResult parse_json_payload(std::string_view body, EventDocument& event, std::size_t max_depth);

// Gives a new event its id, source and received_at.
void stamp_event(EventDocument& event, std::string_view source);
// The same with a given id and time (an event made again from its line must be the same).
void stamp_event(EventDocument& event, std::string_view source, std::string_view id, std::int64_t received_at);

// One event of a batch: its workflow, the event as its trigger left it, and the trigger's run.
// `same_request`: it came in the request of the item before it (a split batch, SPEC 18), and
// is stored in the same transaction as that item, always.
struct BatchItem {
  const Workflow* workflow;
  EventDocument* event;
  RunResult trigger;
  bool same_request = false;
};

// The events of a batch as write_batch asks for them: it runs an event more than once when it
// runs the batch again (with a savepoint per event, or one event a transaction after a
// conflict), and asks for the event each time. weft ingest makes them from their lines, so that
// a large transaction holds its lines (~340 bytes an event) instead of parsed events (~4 KB).
class BatchEvents {
public:
  virtual ~BatchEvents() = default;
  virtual std::size_t size() const = 0;
  // Event i as its trigger left it; `again`: it ran before, and must be as it was then. Valid
  // until the next call.
  virtual BatchItem& item(std::size_t i, bool again) = 0;
  // Where the request of item `first` ends: its items are never stored apart.
  virtual std::size_t request_end(std::size_t first) const { return first + 1; }
};

class EventWriter {
public:
  explicit EventWriter(Store& store) : store_(store), identity_(store), outbox_(store) {}

  void begin_batch() { store_.begin(); }
  void commit_batch() {
    store_.commit();
    stats_.identity = identity_.counters();  // operations change profiles outside write()
    committed_stats_ = stats_;
  }
  void rollback_batch();

  // Writes `items` in one transaction and commits; results in the same order. When the store
  // reports a retryable conflict (another process), the batch is rolled back and its events
  // are run again from the state their triggers left them in, one transaction a request (the
  // items of a split request together), each up to `max_attempts` times; other store failures, or the last conflict, throw StoreError (what
  // was committed stays committed).
  std::vector<RunResult> write_batch(std::vector<BatchItem>& items, int max_attempts = 20);
  std::vector<RunResult> write_batch(BatchEvents& events, int max_attempts = 20);

  // Runs the whole workflow on `event` and stores the result. Store failures throw
  // StoreError (the batch is then unusable: roll it back).
  RunResult write(const Workflow& workflow, EventDocument& event);

  // The same, for an event whose trigger already ran (on an HTTP thread) with `trigger`.
  RunResult write_triggered(const Workflow& workflow, EventDocument& event, RunResult trigger);

  // Re-runs a stored failed event (same id, no idempotency check) and updates its record:
  // processed, or still failed with this run's error and trace. With `trigger_done` the
  // trigger's work (type, key) is taken as stored and the run starts at the second node.
  // A run that fails again keeps `owner_before` as the profile it was run for unless it reached
  // one that still exists (SPEC 14).
  RunResult replay(const Workflow& workflow, EventDocument& event, bool trigger_done, std::optional<std::string> owner_before = std::nullopt);

  // Replays a stored failed event: rebuilds it from its row (id, source, type, time, payload),
  // skips the trigger when its stored trace shows the trigger had completed, and runs
  // replay(). `event` holds the rebuilt event afterwards (its profile, when processed).
  // Nullopt when the stored payload is not JSON (left as it is).
  std::optional<RunResult> replay_stored(const Workflow& workflow, const EventRecord& stored, EventDocument& event);

  const WriterStats& stats() const { return stats_; }
  // For operations run inside the writer's transaction (see Committer's Operation).
  Store& store() { return store_; }
  Identity& identity() { return identity_; }
  OutboxWriter& outbox() { return outbox_; }
  // Off while a re-derivation runs stored events again: their messages went out when they were
  // first stored (SPEC 17), and what the re-derivation changed is told by its operation.
  void write_messages_of_events(bool on) { messages_on_ = on; }

private:
  // Runs items [first, end) in one transaction; false (rolled back) on a retryable conflict.
  bool commit_items(BatchEvents& events, std::size_t first, std::size_t end, bool again, std::vector<RunResult>& results, bool last_try);
  RunResult run_after_trigger(const Workflow& workflow, EventDocument& event, RunResult trigger);
  void undo(const IdentityCounters& before);
  void write_messages(const Workflow& workflow, const EventDocument& event, const EventRecord& stored);
  std::optional<std::string> owner_of_failed(const EventDocument& event, std::optional<std::string> before);
  bool run_batch(BatchEvents& events, std::vector<RunResult>& results);

  Store& store_;
  Identity identity_;
  OutboxWriter outbox_;
  bool messages_on_ = true;
  // Each event in its own savepoint (always right), or none: write_batch first runs a batch
  // without them, and runs it again with them only when an event that wrote something has to
  // be undone, because a savepoint per event costs a copy of every page the event touches.
  bool savepoints_ = true;
  WriterStats stats_;
  WriterStats committed_stats_;  // what the last commit made durable
};

}  // namespace weft
