#include "weft/delivery/destination.hpp"
#include "weft/workflow/workflow_loader.hpp"
#include "weft_app.hpp"

#include <algorithm>
#include <iostream>

namespace weft::app {

int validate_command(const Invocation& invocation) {
  std::size_t errors = 0;
  PluginRegistry plugins;
  for (const auto& dir : invocation.settings.plugin_dirs) plugins.load_directory(dir);
  for (const auto& refusal : plugins.refusals()) {
    std::cerr << refusal.str() << "\n";
    ++errors;
  }

  std::vector<std::filesystem::path> paths;
  for (const auto& arg : invocation.args) paths.emplace_back(arg);
  const bool whole_config = paths.empty();  // then the destinations folder is checked too
  if (whole_config) paths.push_back(invocation.settings.workflows);

  std::vector<Diagnostic> diagnostics;
  // The destinations are read either way: deliver nodes must name one of them.
  const auto destinations = load_destinations(invocation.settings.destinations, process_environment(), diagnostics);
  const auto workflows = load_workflows(paths, plugins, diagnostics, routing_of(destinations));
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
  for (const auto& d : diagnostics) std::cerr << d.str() << "\n";
  errors += diagnostics.size();

  for (const auto& [id, workflow] : workflows)
    std::cout << workflow->file << ": ok (source '" << id << "', " << workflow->nodes.size() << " nodes)\n";
  if (whole_config)
    for (const auto& [id, destination] : destinations) std::cout << destination.file << ": ok (destination '" << id << "')\n";
  if (errors > 0) {
    std::cerr << errors << (errors == 1 ? " error\n" : " errors\n");
    return exit_invalid;
  }
  if (workflows.empty()) {
    std::cerr << "no workflow files found\n";
    return exit_invalid;
  }
  return exit_ok;
}

}  // namespace weft::app
