#include "weft/workflow/executor.hpp"

#include "weft/base/clock.hpp"
#include "weft/identity/identity.hpp"

#include <chrono>

namespace weft {

namespace {

// Traits a node set are written when it returns; when it or the store failed, they are
// dropped with the rest of what the event changed.
class TraitsOfNode {
public:
  explicit TraitsOfNode(Identity* identity) : identity_(identity) {}
  ~TraitsOfNode() {
    if (identity_) identity_->drop_traits();
  }
  void write() {
    if (identity_) identity_->write_traits();
  }

private:
  Identity* identity_;
};

// Runs from `first_node` until the workflow ends or reaches node `end`.
RunResult run_nodes(const Workflow& workflow, EventDocument& event, Identity* identity, std::size_t first_node, std::size_t end) {
  RunResult result;
  weft_event view{.document = &event, .identity = identity, .now = now_micros()};
  TraitsOfNode traits(identity);
  std::size_t at = first_node;
  while (at < end) {
    const WorkflowNode& node = workflow.nodes[at];
    const auto started = std::chrono::steady_clock::now();
    NodeResult port = node.instance->process(view);
    if (view.store_failure) std::rethrow_exception(view.store_failure);
    traits.write();
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    view.scratch.clear();
    result.trace.push_back({static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(port.port), micros});

    if (view.suppressed) {
      result.outcome = Outcome::suppressed;
      return result;
    }
    const Route& route = node.routes[port.port];
    if (port.port == node.instance->ports().size()) {  // the error port
      result.error = std::move(port.error);
      result.error_node = at;
    }
    switch (route.kind) {
      case Route::Kind::next: ++at; break;
      case Route::Kind::node: at = route.target; break;
      case Route::Kind::stop: return result;
      case Route::Kind::drop: result.outcome = Outcome::dropped; return result;
      case Route::Kind::reject: result.outcome = Outcome::rejected; return result;
      case Route::Kind::fail: result.outcome = Outcome::failed; return result;
    }
  }
  return result;
}

}  // namespace

RunResult run_trigger(const Workflow& workflow, EventDocument& event) { return run_nodes(workflow, event, nullptr, 0, 1); }

RunResult run_workflow(const Workflow& workflow, EventDocument& event, Identity* identity, std::size_t first_node) {
  return run_nodes(workflow, event, identity, first_node, workflow.nodes.size());
}

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::processed: return "processed";
    case Outcome::dropped: return "dropped";
    case Outcome::rejected: return "rejected";
    case Outcome::failed: return "failed";
    case Outcome::duplicate: return "duplicate";
    case Outcome::suppressed: return "suppressed";
  }
  return "unknown";
}

}  // namespace weft
