// Loads a workflow from YAML text against the built-in plugins, and builds events from JSON.
#pragma once

#include "weft/event/event_document.hpp"
#include "weft/event/json.hpp"
#include "weft/workflow/workflow_loader.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

namespace weft::test {

inline const PluginRegistry& builtin_plugins() {
  static const PluginRegistry registry = [] {
    PluginRegistry r;
    r.load_directory(WEFT_PLUGIN_DIR);
    return r;
  }();
  return registry;
}

// The workflow, or the diagnostics as "line:column: message" lines when it does not load.
struct LoadResult {
  std::shared_ptr<const Workflow> workflow;
  std::vector<std::string> errors;
};

inline LoadResult load_yaml(const std::string& yaml, const PluginRegistry& plugins = builtin_plugins(),
                            std::shared_ptr<const DeliveryRouting> routing = nullptr) {
  TempDir dir;
  const auto file = dir.write("flow.yaml", yaml);
  std::vector<Diagnostic> diagnostics;
  LoadResult result{load_workflow(file, plugins, diagnostics, std::move(routing)), {}};
  for (const auto& d : diagnostics) result.errors.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
  return result;
}

inline void set_payload(EventDocument& event, const std::string& json) {
  REQUIRE(parse_json(json, event.payload(), event.allocator(), 64).ok);
}

}  // namespace weft::test
