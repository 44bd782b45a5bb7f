// Runs a workflow's nodes on an event document, following ports and routes (SPEC 3), and
// records a trace entry per node.
#pragma once

#include "weft/event/event_document.hpp"
#include "weft/workflow/workflow.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace weft {

enum class Outcome {
  processed,  // ran to the end or to `stop`: store the event
  dropped,    // `drop`: store nothing but a counter, answer 200
  rejected,   // `reject`: store nothing, answer 422
  failed,     // unrouted `error`: roll back, store a dead letter
  duplicate,  // a redelivery with a known idempotency key: store nothing
  suppressed  // it carries an erased person's identifier (SPEC 14): store nothing, answer 200
};

struct RunResult {
  Outcome outcome = Outcome::processed;
  std::vector<TraceEntry> trace;
  std::string error;            // the failing node's message, when failed
  std::size_t error_node = 0;   // index of the node that failed
  std::string duplicate_of;     // the first event's id, when duplicate
};

class Identity;

// Runs the trigger (node 0) alone: on the HTTP thread, before the event is queued.
RunResult run_trigger(const Workflow& workflow, EventDocument& event);

// Runs nodes from `first_node` to the end (the trigger may already have run). Nodes reach
// profiles through `identity`, which is null where no store is open. A store failure during a
// node's host call is thrown (StoreError), not reported as the node's error.
RunResult run_workflow(const Workflow& workflow, EventDocument& event, Identity* identity = nullptr, std::size_t first_node = 0);

const char* outcome_name(Outcome outcome);

}  // namespace weft
