#include "weft/workflow/event_writer.hpp"

#include "weft/base/clock.hpp"
#include "weft/event/json.hpp"
#include "weft/base/uuid.hpp"

#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

namespace weft {

JsonParseResult parse_json_payload(std::string_view body, EventDocument& event, std::size_t max_depth) {
  rapidjson::Value value;
  JsonParseResult result = parse_json(body, value, event.allocator(), max_depth);
  if (!result.ok) return result;
  if (value.IsObject()) {
    event.payload() = std::move(value);
  } else {
    rapidjson::Value wrapped(rapidjson::kObjectType);
    wrapped.AddMember("value", value, event.allocator());
    event.payload() = std::move(wrapped);
  }
  return result;
}

void stamp_event(EventDocument& event, std::string_view source) {
  const std::int64_t now = now_micros();
  stamp_event(event, source, new_uuid(now), now);
}

void stamp_event(EventDocument& event, std::string_view source, std::string_view id, std::int64_t received_at) {
  event.set_string("id", id);
  event.set_string("source", source);
  event.set_received_at(received_at);
}

namespace {

EventRecord record_of(const Workflow& workflow, const EventDocument& event, const RunResult& run, bool failed,
                      std::optional<std::string> owner = std::nullopt) {
  EventRecord r;
  r.id = std::string(event.string("id"));
  r.source = std::string(event.string("source"));
  r.type = std::string(event.string("type"));
  r.received_at = event.received_at();
  const std::string_view profile = event.string("profile_id");
  if (!failed && !profile.empty()) r.profile_id = std::string(profile);
  r.status = failed ? "failed" : "processed";
  r.payload = to_json(event.root()["payload"]);
  r.properties = to_json(event.root()["properties"]);
  r.trace = compact_trace(*workflow.trace_shape, run.trace);
  r.trace_shape = workflow.trace_shape;
  if (failed)
    r.error = run.outcome == Outcome::failed ? "node '" + workflow.nodes[run.error_node].id + "': " + run.error : run.error;
  r.owner = std::move(owner);
  return r;
}

}  // namespace

void EventWriter::rollback_batch() {
  stats_ = committed_stats_;
  identity_.counters() = committed_stats_.identity;
  store_.rollback();
}

namespace {

// Thrown by write_triggered without savepoints when an event that wrote to the store must be
// undone: the batch is run again with a savepoint per event.
struct NeedsSavepoints {};

}  // namespace

namespace {

// A batch held in memory (weft serve's queued events), made again from copies of its events
// taken before it first ran.
class HeldEvents final : public BatchEvents {
public:
  HeldEvents(std::vector<BatchItem>& items, bool may_run_again) : items_(items) {
    if (!may_run_again) return;
    for (const BatchItem& item : items) {
      saved_.push_back(std::make_unique<EventDocument>());
      saved_.back()->copy_from(*item.event);
    }
  }
  std::size_t size() const override { return items_.size(); }
  BatchItem& item(std::size_t i, bool again) override {
    if (again) items_[i].event->copy_from(*saved_.at(i));
    return items_[i];
  }
  std::size_t request_end(std::size_t first) const override {
    std::size_t end = first + 1;
    while (end < items_.size() && items_[end].same_request) ++end;
    return end;
  }

private:
  std::vector<BatchItem>& items_;
  std::vector<std::unique_ptr<EventDocument>> saved_;
};

}  // namespace

std::vector<RunResult> EventWriter::write_batch(std::vector<BatchItem>& items, int max_attempts) {
  // A batch of one on a store of one writer never runs again (see run_batch).
  HeldEvents events(items, items.size() > 1 || store_.shared_by_processes());
  return write_batch(events, max_attempts);
}

std::vector<RunResult> EventWriter::write_batch(BatchEvents& events, int max_attempts) {
  std::vector<RunResult> results;
  if (run_batch(events, results)) return results;
  // A conflict with another process: run the requests one transaction each, so that one
  // contended event cannot keep a whole batch retrying.
  results.clear();
  for (std::size_t i = 0, end = 0; i < events.size(); i = end) {
    end = events.request_end(i);
    for (int attempt = 1;; ++attempt) {
      if (commit_items(events, i, end, true, results, attempt >= max_attempts)) break;
      // A short, growing pause lets the other process's transaction finish first.
      std::this_thread::sleep_for(std::chrono::microseconds(200 * attempt + (std::rand() % 500)));
    }
  }
  return results;
}

bool EventWriter::run_batch(BatchEvents& events, std::vector<RunResult>& results) {
  const bool last_try = !store_.shared_by_processes();
  if (events.size() > 1) {
    savepoints_ = false;
    try {
      const bool done = commit_items(events, 0, events.size(), false, results, last_try);
      savepoints_ = true;
      return done;
    } catch (const NeedsSavepoints&) {
      savepoints_ = true;
      results.clear();
      return commit_items(events, 0, events.size(), true, results, last_try);
    } catch (...) {
      savepoints_ = true;
      throw;
    }
  }
  return commit_items(events, 0, events.size(), false, results, last_try);
}

bool EventWriter::commit_items(BatchEvents& events, std::size_t first, std::size_t end, bool again, std::vector<RunResult>& results,
                               bool last_try) {
  const std::size_t before = results.size();
  try {
    begin_batch();
    for (std::size_t i = first; i < end; ++i) {
      BatchItem& item = events.item(i, again);
      results.push_back(write_triggered(*item.workflow, *item.event, item.trigger));
    }
    commit_batch();
    return true;
  } catch (const NeedsSavepoints&) {
    results.resize(before);
    rollback_batch();
    throw;
  } catch (const StoreError& e) {
    results.resize(before);
    try {
      rollback_batch();
    } catch (const StoreError&) {  // the transaction may already be gone; the counts are reset
    }
    if (!e.retryable() || last_try) throw;
  }
  ++stats_.retries;
  ++committed_stats_.retries;  // a retry is a fact even though its transaction was rolled back
  return false;
}

RunResult EventWriter::write(const Workflow& workflow, EventDocument& event) {
  return write_triggered(workflow, event, run_trigger(workflow, event));
}

RunResult EventWriter::write_triggered(const Workflow& workflow, EventDocument& event, RunResult trigger) {
  identity_.clear_changes();
  const IdentityCounters before = identity_.counters();
  const std::int64_t writes_before = identity_.writes();
  if (savepoints_) store_.savepoint();
  const std::string source(event.string("source"));
  const auto& key = event.idempotency_key();
  if (trigger.outcome == Outcome::processed && key) {
    if (auto first = store_.find_idempotency_key(source, *key)) {
      if (savepoints_) store_.release_savepoint();  // nothing was written yet
      ++stats_.duplicates;
      trigger.outcome = Outcome::duplicate;
      trigger.duplicate_of = std::move(*first);
      return trigger;
    }
  }
  RunResult run = run_after_trigger(workflow, event, std::move(trigger));
  const bool undone = run.outcome == Outcome::failed || run.outcome == Outcome::dropped || run.outcome == Outcome::rejected ||
                      run.outcome == Outcome::suppressed;
  if (undone && !savepoints_ && identity_.writes() != writes_before) throw NeedsSavepoints{};
  switch (run.outcome) {
    case Outcome::processed: {
      const EventRecord stored = record_of(workflow, event, run, false);
      store_.insert_event(stored);
      write_messages(workflow, event, stored);
      ++stats_.processed;
      break;
    }
    case Outcome::failed:
      undo(before);
      store_.insert_event(record_of(workflow, event, run, true, owner_of_failed(event, std::nullopt)));
      ++stats_.failed;
      break;
    case Outcome::dropped:
    case Outcome::rejected:
      undo(before);
      ++(run.outcome == Outcome::dropped ? stats_.dropped : stats_.rejected);
      break;
    case Outcome::suppressed:
      undo(before);
      ++stats_.suppressed;
      break;
    case Outcome::duplicate:
      break;
  }
  // A stored event, failed ones included, keeps its key: `weft replay` re-runs failures.
  if (key && (run.outcome == Outcome::processed || run.outcome == Outcome::failed))
    store_.insert_idempotency_key(source, *key, event.string("id"));
  if (savepoints_) store_.release_savepoint();
  stats_.identity = identity_.counters();
  return run;
}

// The profile a failed event was run for, once its run is undone (SPEC 14: it stays that
// person's for erasure): the one it reached if that still exists, else `before`.
std::optional<std::string> EventWriter::owner_of_failed(const EventDocument& event, std::optional<std::string> before) {
  if (const std::string_view reached = event.string("profile_id"); !reached.empty())
    if (auto profile = store_.load_profile(reached)) return std::move(profile->id);
  return before;
}

RunResult EventWriter::replay(const Workflow& workflow, EventDocument& event, bool trigger_done, std::optional<std::string> owner_before) {
  identity_.clear_changes();
  const IdentityCounters before = identity_.counters();
  store_.savepoint();
  RunResult run = trigger_done ? run_workflow(workflow, event, &identity_, 1)
                               : run_after_trigger(workflow, event, run_trigger(workflow, event));
  if (run.outcome == Outcome::processed) {
    const EventRecord stored = record_of(workflow, event, run, false);
    store_.update_event(stored);
    write_messages(workflow, event, stored);
    ++stats_.processed;
  } else {
    // Still not processed: the dead letter stays, with what happened this time.
    undo(before);
    if (run.outcome != Outcome::failed) {
      const TraceEntry& last = run.trace.back();
      run.error = "the workflow now routes it to " + std::string(outcome_name(run.outcome)) + " (node '" + workflow.nodes[last.node].id +
                  "' left on '" + workflow.nodes[last.node].port_name(last.port) + "')";
      run.error_node = last.node;
    }
    store_.update_event(record_of(workflow, event, run, true, owner_of_failed(event, owner_before)));
    ++stats_.failed;
  }
  store_.release_savepoint();
  stats_.identity = identity_.counters();
  return run;
}

namespace {

// Whether a stored trace shows the trigger got past its own node.
bool trigger_completed(const std::string& trace) {
  rapidjson::Document doc;
  doc.Parse(trace.c_str());
  return doc.IsArray() && !doc.Empty() && doc[0].IsObject() && doc[0].HasMember("port") && doc[0]["port"] == "out";
}

}  // namespace

std::optional<RunResult> EventWriter::replay_stored(const Workflow& workflow, const EventRecord& stored, EventDocument& event) {
  event.set_string("id", stored.id);
  event.set_string("source", stored.source);
  event.set_string("type", stored.type);
  event.set_received_at(stored.received_at);
  // the depth limit applied when it was received; stored payloads are within it
  if (!parse_json_payload(stored.payload, event, 1024).ok) return std::nullopt;
  return replay(workflow, event, trigger_completed(stored.trace), stored.profile_id ? stored.profile_id : stored.owner);
}

RunResult EventWriter::run_after_trigger(const Workflow& workflow, EventDocument& event, RunResult trigger) {
  if (trigger.outcome != Outcome::processed || workflow.nodes.size() < 2) return trigger;
  RunResult rest = run_workflow(workflow, event, &identity_, 1);
  rest.trace.insert(rest.trace.begin(), trigger.trace.begin(), trigger.trace.end());
  return rest;
}

// The messages of a stored event (SPEC 17): its deliver nodes' and its profile changes'.
void EventWriter::write_messages(const Workflow& workflow, const EventDocument& event, const EventRecord& stored) {
  if (!messages_on_ || !workflow.routing || (event.messages().empty() && workflow.routing->subscribers.empty())) return;
  outbox_.after_event(event, stored, *workflow.routing, identity_.changes(), now_micros());
}

// Undoes the event: its store changes (only with a savepoint; without one it made none) and
// its counts.
void EventWriter::undo(const IdentityCounters& before) {
  if (savepoints_) store_.rollback_to_savepoint();
  identity_.counters() = before;
}

}  // namespace weft
