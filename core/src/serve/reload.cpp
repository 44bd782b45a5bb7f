#include "weft/serve/reload.hpp"

#include "weft/base/clock.hpp"
#include "weft/workflow/workflow_loader.hpp"

#include <algorithm>
#include <iostream>
#include <tuple>

namespace weft {

ReloadResult Reloader::reload() {
  std::lock_guard lock(running_);
  ReloadResult result;
  const auto before = live_.current();
  auto plugins = std::make_shared<const PluginRegistry>(before->plugins ? before->plugins->rescan(settings_.plugin_dirs)
                                                                        : PluginRegistry().rescan(settings_.plugin_dirs));
  // As at start-up, a library that is refused is reported, not fatal: a workflow that uses it
  // fails as an unknown plugin, with a suggestion.
  for (const auto& refusal : plugins->refusals()) std::cerr << "weft: reload: " << refusal.str() << "\n";

  std::vector<Diagnostic> diagnostics;
  auto destinations = load_destinations(settings_.destinations, process_environment(), diagnostics);
  auto routing = routing_of(destinations);
  const auto workflows = load_workflows({settings_.workflows}, *plugins, diagnostics, routing);
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
  for (const auto& d : diagnostics) result.errors.push_back(d.str());
  auto next = std::make_shared<LiveSet>();
  next->plugins = plugins;
  next->sources = make_sources(workflows, environment_, settings_.public_url, result.errors);
  next->destinations = std::move(destinations);
  next->routing = std::move(routing);

  std::vector<std::function<void()>> apply;
  for (const ReloadPart& part : parts_) apply.push_back(part(result.errors));

  result.ok = result.errors.empty();
  if (result.ok) {
    live_.replace(next);
    for (const auto& put_in_place : apply)
      if (put_in_place) put_in_place();
  }
  for (const auto& [id, source] : (result.ok ? next->sources : before->sources)) result.sources.push_back(id);
  if (result.ok) {
    std::string ids;
    for (const auto& id : result.sources) ids += (ids.empty() ? "" : ", ") + id;
    std::cout << "weft: reloaded: " << result.sources.size() << " sources (" << ids << ")" << std::endl;
  } else {
    std::cerr << "weft: reload refused, the running workflows stay as they are:\n";
    for (const auto& e : result.errors) std::cerr << "  " << e << "\n";
    std::cerr << std::flush;
  }
  live_.record({now_micros(), result.ok, result.errors});
  metrics_.reloads(result.ok ? "ok" : "failed").Increment();
  return result;
}

}  // namespace weft
