// One configured node: a plugin's `create` result with its own host table, destroyed with it.
#pragma once

#include "weft/event/event_document.hpp"
#include "weft/plugin/plugin_registry.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace weft {
class Identity;
}

// The ABI's opaque types, defined on the host side.
struct weft_event {
  weft::EventDocument* document = nullptr;
  std::deque<std::string> scratch{};    // strings handed to the plugin, alive until process returns
  weft::Identity* identity = nullptr;   // the profile rules; null outside a store (validate, tests)
  std::int64_t now = 0;                 // the time every change of this run is stamped with
  // A store failure inside a host call: not the node's fault, so not its error port. The
  // executor rethrows it and the whole batch is retried or refused.
  std::exception_ptr store_failure{};
  // A read the host could not do (for example out of memory), which the ABI can only answer
  // as missing: the node's result is replaced by its error port with this message, so a real
  // error never passes for an absent value.
  std::string host_failure{};
  // The nodelist of the last non-singular path read by index (event_read_at and the like);
  // forgotten when the event is written to.
  const weft_path* selected_path = nullptr;
  std::vector<const rapidjson::Value*> selected{};
  void forget_selection() { selected_path = nullptr; }
  // The event carries an erased person's identifier (SPEC 14): the host answered the node as
  // if it were missing, and the executor ends the run as suppressed (nothing is stored).
  bool suppressed = false;
};

namespace weft {

// A plugin's create failed. `at` is the config key path the plugin placed the error at
// (config_error_at), or empty for the node as a whole.
class NodeCreateError : public std::runtime_error {
public:
  NodeCreateError(const std::string& message, std::string at = {}) : std::runtime_error(message), at(std::move(at)) {}
  std::string at;
};

// What a node's process call returned: a port index, or the error port with a message.
struct NodeResult {
  std::size_t port;     // index into the node's ports; ports().size() means `error`
  std::string error;    // set when port is `error`
};

class NodeInstance {
public:
  // Calls the plugin's `create` with `config`; throws NodeCreateError with the plugin's message.
  // `label` names the node in logs ("workflow/node").
  NodeInstance(std::shared_ptr<const Plugin> plugin, std::string label, rapidjson::Document config);
  ~NodeInstance();
  NodeInstance(const NodeInstance&) = delete;
  NodeInstance& operator=(const NodeInstance&) = delete;

  const Plugin& plugin() const { return *plugin_; }
  const rapidjson::Value& config() const { return config_; }

  // This node's ports by index (the plugin's, or those the node declared in create); `error`
  // is implicit, at index ports().size().
  const std::vector<std::string>& ports() const { return ports_.empty() ? plugin_->ports : ports_; }
  // Index of `port`, ports().size() for "error", or nullopt.
  std::optional<std::size_t> port_index(const std::string& port) const;

  // Runs the node on `event`. Never throws: a throwing or misbehaving plugin yields `error`.
  NodeResult process(weft_event& event) const;

private:
  std::shared_ptr<const Plugin> plugin_;  // keeps the library loaded while the node lives
  std::string label_;
  rapidjson::Document config_;
  std::vector<std::string> ports_;  // declared by the node; empty: the plugin's
  weft_host host_;
  void* node_ = nullptr;
};

}  // namespace weft
