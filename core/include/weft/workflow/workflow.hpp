// A validated, immutable workflow: its nodes, each with a route per port (SPEC 3).
#pragma once

#include "weft/event/jsonpath.hpp"
#include "weft/plugin/node_instance.hpp"
#include "weft/store/stored_trace.hpp"
#include "weft/workflow/delivery_routing.hpp"

#include <memory>
#include <string>
#include <vector>

namespace weft {

struct Route {
  enum class Kind {
    next,    // continue with the following node (or finish after the last one)
    node,    // jump to `target`, a later node
    stop,    // store the event, run no more nodes
    drop,    // store nothing but a counter; answer 200
    reject,  // store nothing; answer 422
    fail     // unrouted `error`: roll back, store a dead letter
  };
  Kind kind = Kind::next;
  std::size_t target = 0;
};

struct WorkflowNode {
  std::string id;
  std::unique_ptr<NodeInstance> instance;
  std::vector<Route> routes;  // by port index; the last entry is `error`

  const Plugin& plugin() const { return instance->plugin(); }
  // The name of port `index` (the last index is "error").
  const std::string& port_name(std::size_t index) const;
};

struct Workflow {
  std::string id;    // the source id: POST /collect/{id}
  std::string name;
  std::string file;
  int id_line = 0;   // where `id:` is, for cross-file diagnostics
  int id_column = 0;
  std::vector<WorkflowNode> nodes;
  // Its nodes, plugins and ports, which stored traces name by index; set by the loader.
  std::shared_ptr<const TraceShape> trace_shape;
  // The destinations of the set it was loaded with, and their subscriptions (SPEC 17); set by
  // the loader, never null.
  std::shared_ptr<const DeliveryRouting> routing;
  // The trigger's `split` (SPEC 18): a request becomes one event per node it selects. Null:
  // one event per request. Set by the loader.
  std::shared_ptr<const JsonPath> split;
};

}  // namespace weft
