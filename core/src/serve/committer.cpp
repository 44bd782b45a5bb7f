#include "weft/serve/committer.hpp"

#include "weft/identity/profile_view.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
#include <iterator>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace weft {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string_or_null(Writer& w, std::string_view s) {
  if (s.empty())
    w.Null();
  else
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string event_answer(std::string_view event_id, std::string_view profile_id, std::string_view status, bool duplicate,
                         std::string_view error = {}) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("event_id");
  string_or_null(w, event_id);
  w.Key("profile_id");
  string_or_null(w, profile_id);
  w.Key("status");
  w.String(status.data(), static_cast<rapidjson::SizeType>(status.size()));
  if (duplicate) {
    w.Key("duplicate");
    w.Bool(true);
  }
  if (!error.empty()) {
    w.Key("error");
    w.String(error.data(), static_cast<rapidjson::SizeType>(error.size()));
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Which node sent the event to `reject` or `drop`, for the 422 message.
std::string routed_by(const Workflow& workflow, const RunResult& run) {
  if (run.trace.empty()) return "the workflow";
  const TraceEntry& last = run.trace.back();
  const WorkflowNode& node = workflow.nodes[last.node];
  return "node '" + node.id + "' (" + node.plugin().name + ") left on '" + node.port_name(last.port) + "'";
}

}  // namespace

std::string error_body(std::string_view code, std::string_view message) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("error");
  w.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Committer::Committer(Store& store, Metrics& metrics, std::size_t capacity, std::size_t capacity_bytes, std::int64_t node_budget_micros,
                     std::size_t max_batch)
    : store_(store),
      metrics_(metrics),
      writer_(store),
      capacity_(capacity),
      capacity_bytes_(capacity_bytes),
      max_batch_(max_batch),
      node_budget_micros_(node_budget_micros) {
  metrics_.profiles().Set(static_cast<double>(store_.count_live_profiles()));
  thread_ = std::thread([this] { run(); });
}

Committer::~Committer() { stop(); }

std::optional<std::future<Answer>> Committer::submit(IngestJob job) {
  std::future<Answer> answer = job.answer.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= capacity_ || (held_bytes_ > 0 && held_bytes_ + job.bytes > capacity_bytes_)) return std::nullopt;
    held_bytes_ += job.bytes;
    queue_.push_back(std::move(job));
    metrics_.queue_depth().Set(static_cast<double>(queue_.size()));
  }
  ready_.notify_one();
  return answer;
}

std::optional<std::future<Answer>> Committer::submit_replay(std::shared_ptr<const Workflow> workflow, std::string event_id) {
  return submit_operation([this, workflow = std::move(workflow), event_id = std::move(event_id)](EventWriter& writer) {
    return replay(writer, *workflow, event_id);
  });
}

std::optional<std::future<Answer>> Committer::submit_operation(Operation operation) {
  IngestJob job;
  job.operation = std::move(operation);
  return submit(std::move(job));
}

void Committer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Committer::run() {
  std::vector<IngestJob> batch;
  std::size_t batch_bytes = 0;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      held_bytes_ -= batch_bytes;  // the batch before is answered
      batch_bytes = 0;
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is answered
      for (std::size_t events = 0; !queue_.empty();) {
        const std::size_t more = std::max<std::size_t>(queue_.front().events.size(), 1);  // an operation: 1
        if (!batch.empty() && events + more > max_batch_) break;
        events += more;
        batch_bytes += queue_.front().bytes;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      metrics_.queue_depth().Set(static_cast<double>(queue_.size()));
    }
    // Operations (rare) run after the batch's events, each in a transaction of its own.
    const auto first_operation = std::stable_partition(batch.begin(), batch.end(), [](const IngestJob& j) { return !j.operation; });
    std::vector<IngestJob> operations(std::make_move_iterator(first_operation), std::make_move_iterator(batch.end()));
    batch.erase(first_operation, batch.end());
    if (!batch.empty()) commit(batch);
    for (IngestJob& job : operations) job.answer.set_value(run_operation(job.operation));
    batch.clear();
  }
}

void Committer::commit(std::vector<IngestJob>& batch) {
  std::vector<BatchItem> items;
  for (IngestJob& job : batch)
    for (std::size_t i = 0; i < job.events.size(); ++i)
      items.push_back({job.workflow.get(), job.events[i].event.get(), std::move(job.events[i].trigger), i > 0});
  std::vector<RunResult> runs;
  const IdentityCounters before = writer_.stats().identity;
  const std::int64_t retries_before = writer_.stats().retries;
  try {
    runs = writer_.write_batch(items);
    metrics_.batch_retries().Increment(static_cast<double>(writer_.stats().retries - retries_before));
  } catch (const std::exception& e) {
    // The detail (SQL, libpq's words) is for the operator; the sender learns what to do.
    std::string ids;
    for (const BatchItem& item : items) ids += (ids.empty() ? "" : ", ") + std::string(item.event->string("id"));
    Poco::Logger::get("weft.store").error("batch of " + std::to_string(items.size()) + " events not stored (" + ids + "): " + e.what());
    for (IngestJob& job : batch)
      job.answer.set_value({503, error_body("unavailable", job.split ? "the store is unavailable; nothing of this batch was stored; retry later"
                                                                     : "the store is unavailable; nothing of this event was stored; retry later")});
    return;
  }
  // Durable now: count and answer.
  count_identity_changes(before);
  metrics_.commit_batch_size().Observe(static_cast<double>(items.size()));
  std::size_t first_run = 0;
  for (IngestJob& job : batch) {
    for (std::size_t i = 0; i < job.events.size(); ++i) count_run(*job.workflow, runs[first_run + i]);
    Answer answer;
    try {
      if (!job.split) {
        answer = answer_for(*job.workflow, *job.events.front().event, runs[first_run]);
      } else {
        std::string events = "{\"events\":[";
        for (std::size_t i = 0; i < job.events.size(); ++i) events += (i ? "," : "") + item_answer(*job.events[i].event, runs[first_run + i]);
        answer = {200, events + "]}"};
      }
    } catch (const std::exception& e) {
      Poco::Logger::get("weft.store").error("a request of " + std::to_string(job.events.size()) +
                                            " events was stored, but its answer could not be read back: " + e.what());
      answer = {503, error_body("unavailable", "the request was stored, but its answer could not be read back; do not send it again")};
    }
    first_run += job.events.size();
    job.answer.set_value(std::move(answer));
  }
}

void Committer::count_run(const Workflow& workflow, const RunResult& run) {
  metrics_.events(workflow.id, outcome_name(run.outcome)).Increment();
  for (const TraceEntry& t : run.trace) {
    const WorkflowNode& node = workflow.nodes[t.node];
    metrics_.node_seconds(workflow.id, node.id).Observe(static_cast<double>(t.micros) / 1e6);
    metrics_.node_port(workflow.id, node.id, node.port_name(t.port)).Increment();
    if (t.micros > node_budget_micros_) {
      metrics_.node_slow(workflow.id, node.id).Increment();
      Poco::Logger::get("weft.node").warning(workflow.id + "/" + node.id + " (" + node.plugin().name + ") took " + std::to_string(t.micros / 1000) +
                                             " ms, over its budget of " + std::to_string(node_budget_micros_ / 1000) +
                                             " ms (limits.node_budget_ms)");
    }
  }
}

void Committer::count_identity_changes(const IdentityCounters& before) {
  const IdentityCounters& after = writer_.stats().identity;
  metrics_.merges().Increment(static_cast<double>(after.merges - before.merges));
  metrics_.merges_refused().Increment(static_cast<double>(after.merges_refused - before.merges_refused));
  metrics_.profiles().Increment(static_cast<double>((after.profiles_created - before.profiles_created) - (after.merges - before.merges) -
                                                    (after.profiles_set_aside - before.profiles_set_aside)));
}

OperationResult Committer::replay(EventWriter& writer, const Workflow& workflow, const std::string& event_id) {
  const auto stored = store_.load_event(event_id);
  if (!stored) return {{404, error_body("not_found", "no event '" + event_id + "'")}, {}};
  if (stored->status != "failed")
    return {{409, error_body("conflict", "event '" + event_id + "' is " + stored->status + "; only failed events are replayed")}, {}};
  EventDocument event;
  const auto run = writer.replay_stored(workflow, *stored, event);
  if (!run) return {{422, error_body("rejected", "the stored payload of event '" + event_id + "' is not JSON; left as it is")}, {}};
  const bool processed = run->outcome == Outcome::processed;
  auto count = [this, source = workflow.id, processed] { metrics_.events(source, processed ? "replayed" : "replay_failed").Increment(); };
  if (processed) return {{200, event_answer(event_id, event.string("profile_id"), "processed", false)}, count};
  const auto again = store_.load_event(event_id);  // its error, as stored
  return {{200, event_answer(event_id, "", "failed", false, again && again->error ? *again->error : run->error)}, count};
}

OperationResult run_in_transaction(EventWriter& writer, const Operation& operation) {
  try {
    writer.begin_batch();
    OperationResult result = operation(writer);
    if (result.answer.status >= 400)
      writer.rollback_batch();
    else
      writer.commit_batch();
    return result;
  } catch (const std::exception&) {
    try {
      writer.rollback_batch();
    } catch (const std::exception&) {  // the transaction may be gone with the connection
    }
    throw;
  }
}

// An operation conflicts with another process's writes like a batch does (PostgreSQL): it is
// run again from the start, each run in a transaction of its own.
OperationResult Committer::run_retrying(const Operation& operation) {
  for (int attempt = 1;; ++attempt) {
    try {
      return run_in_transaction(writer_, operation);
    } catch (const StoreError& e) {
      if (!e.retryable() || attempt >= max_operation_attempts) throw;
      metrics_.batch_retries().Increment();
      std::this_thread::sleep_for(std::chrono::milliseconds(attempt));
    }
  }
}

Answer Committer::run_operation(const Operation& operation) {
  const IdentityCounters before = writer_.stats().identity;
  try {
    OperationResult result = run_retrying(operation);
    if (result.answer.status < 400) {
      count_identity_changes(before);
      if (result.on_commit) result.on_commit();
    }
    return result.answer;
  } catch (const std::exception& e) {
    Poco::Logger::get("weft.store").error(std::string("operation not stored: ") + e.what());
    return {503, error_body("unavailable", "the store is unavailable; nothing was changed; retry later")};
  }
}

// A request of one event: its answer (SPEC 7).
Answer Committer::answer_for(const Workflow& workflow, const EventDocument& event, const RunResult& run) {
  switch (run.outcome) {
    case Outcome::failed:
      return {202, item_answer(event, run)};
    case Outcome::rejected:
      return {422, error_body("rejected", routed_by(workflow, run) + ", which routes to reject")};
    default:
      return {200, item_answer(event, run)};
  }
}

// One event's object, alone or in a split request's "events" (SPEC 18).
std::string Committer::item_answer(const EventDocument& event, const RunResult& run) {
  switch (run.outcome) {
    case Outcome::processed:
      return event_answer(event.string("id"), event.string("profile_id"), "processed", false);
    case Outcome::failed:
      return event_answer(event.string("id"), "", "failed", false);
    case Outcome::dropped:
      return event_answer("", "", "dropped", false);
    case Outcome::suppressed:
      return event_answer("", "", "suppressed", false);
    case Outcome::rejected:
      return event_answer("", "", "rejected", false);
    case Outcome::duplicate: {
      if (run.duplicate_of.empty()) return event_answer("", "", "erased", true);  // its event was erased (SPEC 14)
      const auto first = store_.load_event(run.duplicate_of);
      std::string profile;
      if (first && first->profile_id)
        if (auto live = store_.load_profile(*first->profile_id)) profile = live->id;
      return event_answer(run.duplicate_of, profile, first ? first->status : "processed", true);
    }
  }
  return event_answer("", "", "unknown", false);
}

}  // namespace weft
