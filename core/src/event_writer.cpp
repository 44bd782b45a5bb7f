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

RunResult EventWriter::write(const Workflow& workflow, EventDocument& event, std::size_t first_node) {
  const WriterStats before = stats_;
  store_.savepoint();
  RunResult run = run_workflow(workflow, event, &identity_, first_node);
  stats_.identity = identity_.counters();
  switch (run.outcome) {
    case Outcome::processed:
      store_.insert_event(record_of(workflow, event, run, false));
      ++stats_.processed;
      break;
    case Outcome::failed:
      store_.rollback_to_savepoint();
      identity_.counters() = before.identity;
      stats_.identity = before.identity;
      store_.insert_event(record_of(workflow, event, run, true));
      ++stats_.failed;
      break;
    case Outcome::dropped:
    case Outcome::rejected:
      store_.rollback_to_savepoint();
      identity_.counters() = before.identity;
      stats_.identity = before.identity;
      ++(run.outcome == Outcome::dropped ? stats_.dropped : stats_.rejected);
      break;
  }
  store_.release_savepoint();
  return run;
}

}  // namespace weft
