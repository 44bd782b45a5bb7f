// How the store keeps an event's trace (issue 20). SPEC 8's JSON array names the node, plugin
// and port of every step, and was 447 of the ~1,030 bytes of a stored Slack event. Kept
// instead: the key of the workflow's shape (its nodes, their plugins and ports, stored once
// in trace_shapes) and the indexes of each step, "KEY:node.port.micros,...", e.g.
// "9f86d081884c7d65:0.0.41,1.1.3" (~60 bytes). Reading renders the SPEC 8 array again, from
// the shape the event ran with, whatever the workflow looks like today. Rows written before
// schema 9 hold the JSON array and are read as they are.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

struct TraceEntry {
  std::uint32_t node;  // index in workflow.nodes
  std::uint32_t port;  // index in the node's ports; the last index is `error`
  std::int64_t micros;
};

// The nodes of one workflow as it ran. Immutable: a workflow that changes gets a new shape.
struct TraceShape {
  struct Node {
    std::string id;
    std::string plugin;
    std::vector<std::string> ports;  // the last is "error"
  };
  std::vector<Node> nodes;
  std::string json;  // [{"node":..,"plugin":..,"ports":[..]},...]: what trace_shapes stores
  std::string key;   // 16 hex digits of FNV-1a 64 of `json` (workflows are the operator's, not an attacker's)

  explicit TraceShape(std::vector<Node> nodes);
  // Reads a stored shape's JSON; nullopt when it is not one.
  static std::optional<TraceShape> parse(std::string_view json);
};

// The compact form of `trace`, for a workflow of shape `shape`.
std::string compact_trace(const TraceShape& shape, const std::vector<TraceEntry>& trace);

// The SPEC 8 JSON array of a stored trace: the compact form expanded, or an older row's array
// as it is. Shapes are read through `load` (their JSON by key) and kept: they never change.
// Throws StoreError for a trace that names a shape or an index the store does not have.
class TraceShapes {
public:
  using Loader = std::function<std::optional<std::string>(std::string_view key)>;
  std::string expand(const std::string& stored, const Loader& load);

private:
  std::map<std::string, TraceShape, std::less<>> known_;
};

// The shapes a writer need not insert again, so that an event costs no shape statement: those
// its committed transactions wrote (shapes are never deleted). One written in the open
// transaction counts once it commits; a new transaction or a rollback to a savepoint forgets
// the open transaction's (writing one again is harmless, missing one is not). 200,000 events ingested:
// a shape insert beside every event cost 3-9 % of the CPU.
class WrittenShapes {
public:
  bool needed(const std::string& key) const { return !committed_.contains(key) && !open_.contains(key); }
  void wrote(const std::string& key) { open_.insert(key); }
  void committed() { committed_.merge(open_); open_.clear(); }
  void discard_open() { open_.clear(); }

private:
  std::set<std::string> committed_;
  std::set<std::string> open_;
};

}  // namespace weft
