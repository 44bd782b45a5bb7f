// Reloading a running server (SPEC 16): everything is read and checked first (new plugin
// libraries, every workflow file, the sources' secrets, and whatever else registers itself,
// such as the TLS certificates); only when nothing is wrong does the new set replace the old.
// SIGHUP and POST /admin/reload both come here; one reload runs at a time.
#pragma once

#include "weft/base/settings.hpp"
#include "weft/serve/live_workflows.hpp"
#include "weft/serve/metrics.hpp"

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace weft {

// A part that reloads with the workflows: `prepare` reads and checks the new state, appending
// what is wrong to `errors`, and returns how to put it in place (called only when the whole
// reload succeeds).
using ReloadPart = std::function<std::function<void()>(std::vector<std::string>& errors)>;

struct ReloadResult {
  bool ok = false;
  std::vector<std::string> errors;
  std::vector<std::string> sources;  // the ids served afterwards
};

class Reloader {
public:
  Reloader(const Settings& settings, LiveWorkflows& live, Metrics& metrics, Environment environment)
      : settings_(settings), live_(live), metrics_(metrics), environment_(std::move(environment)) {}

  // Registers a part (before the server starts).
  void add_part(ReloadPart part) { parts_.push_back(std::move(part)); }

  // Reads, checks and, when all is well, swaps; records the outcome and counts it
  // (weft_reloads_total{result}).
  ReloadResult reload();

private:
  const Settings& settings_;
  LiveWorkflows& live_;
  Metrics& metrics_;
  Environment environment_;
  std::vector<ReloadPart> parts_;
  std::mutex running_;
};

}  // namespace weft
