// The single writer of a serving process (DESIGN "How an event flows"): HTTP threads queue
// triggered events; one committer thread takes them in batches, runs the rest of each
// workflow inside one transaction (a savepoint per event), commits with one fsync, and only
// then answers every request of the batch.
#pragma once

#include "weft/workflow/event_writer.hpp"
#include "weft/serve/metrics.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace weft {

// What a /collect request or an operation is answered with.
struct Answer {
  int status;
  std::string body;  // JSON
  // Set by an operation: the requester runs it before it sends the answer, off the
  // committer's thread, and it may change the answer (an erasure waits there for its scrub,
  // and answers 503 erasure_incomplete when the scrub could not be done: SPEC 14).
  std::function<void(Answer&)> before_sending = {};
};

// Work that is not an incoming event (a replay, an operator's merge, ...), run on the committer
// thread in a transaction of its own, ordered with the traffic. It returns the answer; an
// answer of 400 or more rolls the transaction back. `on_commit`, when set, runs on the
// committer's thread once the transaction is durable (for counters of what was done), before
// the answer's before_sending.
struct OperationResult {
  Answer answer;
  std::function<void()> on_commit;
};
using Operation = std::function<OperationResult(EventWriter& writer)>;

// Runs `operation` in a transaction of `writer`: committed when it answers below 400, rolled
// back otherwise. A store failure rolls back and throws StoreError. The committer runs
// operations so in a serving process; the `weft profiles` commands, on a store no server uses.
OperationResult run_in_transaction(EventWriter& writer, const Operation& operation);

// An event as its trigger left it on the HTTP thread, with the trigger's run.
struct TriggeredEvent {
  std::unique_ptr<EventDocument> event;
  RunResult trigger;
};

// One request: its event, or the items of a split request (SPEC 18), stored in one
// transaction and answered together as {"events": [...]}.
struct IngestJob {
  std::shared_ptr<const Workflow> workflow;
  std::vector<TriggeredEvent> events;
  bool split = false;
  std::promise<Answer> answer;
  Operation operation;    // set: run this instead of an event
  std::size_t bytes = 0;  // the request body's size, counted against the queue's byte limit
};

class Committer {
public:
  // `capacity`: queued events beyond which submit refuses (429); `capacity_bytes`: the same
  // for the bytes of the jobs queued or in the batch being written (a job alone in the queue
  // is always taken); `max_batch`: events per transaction at most (a request's items are never
  // parted: a split request larger than that is a transaction of its own).
  // A node run longer than `node_budget_micros` is logged and counted (weft_node_slow_total).
  Committer(Store& store, Metrics& metrics, std::size_t capacity, std::size_t capacity_bytes, std::int64_t node_budget_micros = 100000,
            std::size_t max_batch = 2048);
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Queues a job and returns the future answer; nullopt when the queue is full or closed.
  std::optional<std::future<Answer>> submit(IngestJob job);

  // Queues the replay of the stored failed event `event_id` through `workflow` (its source's
  // current workflow), in a transaction of its own. Answers 200 with the outcome, 404 when
  // there is no such event, 409 when it is not failed; nullopt when the queue is full.
  std::optional<std::future<Answer>> submit_replay(std::shared_ptr<const Workflow> workflow, std::string event_id);

  // Queues an operation (see Operation); nullopt when the queue is full.
  std::optional<std::future<Answer>> submit_operation(Operation operation);

  // Answers everything queued, commits, and ends the thread. Later submits are refused.
  void stop();

private:
  void run();
  void commit(std::vector<IngestJob>& batch);
  OperationResult replay(EventWriter& writer, const Workflow& workflow, const std::string& event_id);
  Answer run_operation(const Operation& operation);
  OperationResult run_retrying(const Operation& operation);
  static constexpr int max_operation_attempts = 20;
  // Adds what the committed work did to profiles and merges (since `before`) to the metrics.
  void count_identity_changes(const IdentityCounters& before);
  Answer answer_for(const Workflow& workflow, const EventDocument& event, const RunResult& run);
  std::string item_answer(const EventDocument& event, const RunResult& run);
  void count_run(const Workflow& workflow, const RunResult& run);  // the metrics of one event's run

  Store& store_;
  Metrics& metrics_;
  EventWriter writer_;
  const std::size_t capacity_;
  const std::size_t capacity_bytes_;
  const std::size_t max_batch_;
  const std::int64_t node_budget_micros_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<IngestJob> queue_;
  std::size_t held_bytes_ = 0;  // of the jobs queued or in the batch being written
  bool stopping_ = false;
  std::thread thread_;
};

// The JSON error body of SPEC 7.
std::string error_body(std::string_view code, std::string_view message);

}  // namespace weft
