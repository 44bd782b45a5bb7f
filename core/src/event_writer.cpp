#include "weft/event_writer.hpp"

#include "weft/clock.hpp"
#include "weft/json.hpp"
#include "weft/uuid.hpp"

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
  event.set_string("id", new_uuid(now));
  event.set_string("source", source);
  event.set_received_at(now);
}

namespace {

EventRecord record_of(const Workflow& workflow, const EventDocument& event, const RunResult& run, bool failed) {
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
  r.trace = trace_json(workflow, run.trace);
  if (failed) r.error = "node '" + workflow.nodes[run.error_node].id + "': " + run.error;
  return r;
}

}  // namespace

void EventWriter::rollback_batch() {
  store_.rollback();
  stats_ = committed_stats_;
  identity_.counters() = committed_stats_.identity;
}

RunResult EventWriter::write(const Workflow& workflow, EventDocument& event) {
  return write_triggered(workflow, event, run_trigger(workflow, event));
}

RunResult EventWriter::write_triggered(const Workflow& workflow, EventDocument& event, RunResult trigger) {
  const WriterStats before = stats_;
  store_.savepoint();
  RunResult run = std::move(trigger);
  const std::string source(event.string("source"));
  const auto& key = event.idempotency_key();
  if (run.outcome == Outcome::processed && key) {
    if (auto first = store_.find_idempotency_key(source, *key)) {
      store_.rollback_to_savepoint();
      store_.release_savepoint();
      ++stats_.duplicates;
      run.outcome = Outcome::duplicate;
      run.duplicate_of = std::move(*first);
      return run;
    }
  }
  if (run.outcome == Outcome::processed && workflow.nodes.size() > 1) {
    RunResult rest = run_workflow(workflow, event, &identity_, 1);
    rest.trace.insert(rest.trace.begin(), run.trace.begin(), run.trace.end());
    run = std::move(rest);
  }
  switch (run.outcome) {
    case Outcome::processed:
      store_.insert_event(record_of(workflow, event, run, false));
      ++stats_.processed;
      break;
    case Outcome::failed:
      store_.rollback_to_savepoint();
      identity_.counters() = before.identity;
      store_.insert_event(record_of(workflow, event, run, true));
      ++stats_.failed;
      break;
    case Outcome::dropped:
    case Outcome::rejected:
      store_.rollback_to_savepoint();
      identity_.counters() = before.identity;
      ++(run.outcome == Outcome::dropped ? stats_.dropped : stats_.rejected);
      break;
    case Outcome::duplicate:
      break;
  }
  // A stored event, failed ones included, keeps its key: `weft replay` re-runs failures.
  if (key && (run.outcome == Outcome::processed || run.outcome == Outcome::failed))
    store_.insert_idempotency_key(source, *key, event.string("id"));
  store_.release_savepoint();
  stats_.identity = identity_.counters();
  return run;
}

}  // namespace weft
