// The workflows a running server serves, replaced as one by a reload (SPEC 16): the plugins,
// the sources made from the workflows, and what the last reload did. Request threads take the
// current set for the whole request; an event keeps the workflow it was received with until it
// is committed, so every event runs wholly under the old set or wholly under the new one.
#pragma once

#include "weft/delivery/destination.hpp"
#include "weft/plugin/plugin_registry.hpp"
#include "weft/serve/sources.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace weft {

struct LiveSet {
  std::shared_ptr<const PluginRegistry> plugins;
  std::map<std::string, Source> sources;
  std::map<std::string, Destination> destinations;  // SPEC 17; the workflows' routing names these
  std::shared_ptr<const DeliveryRouting> routing = std::make_shared<const DeliveryRouting>();
};

struct ReloadRecord {
  std::int64_t at = 0;  // microseconds since the epoch
  bool ok = false;
  std::vector<std::string> errors;  // "file:line:column: message", or a message naming its file
};

class LiveWorkflows {
public:
  LiveWorkflows() : current_(std::make_shared<const LiveSet>()) {}

  std::shared_ptr<const LiveSet> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void replace(std::shared_ptr<const LiveSet> next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

  std::optional<ReloadRecord> last_reload() const {
    std::lock_guard lock(mutex_);
    return last_reload_;
  }
  void record(ReloadRecord record) {
    std::lock_guard lock(mutex_);
    last_reload_ = std::move(record);
  }

private:
  mutable std::mutex mutex_;
  std::shared_ptr<const LiveSet> current_;
  std::optional<ReloadRecord> last_reload_;
};

}  // namespace weft
