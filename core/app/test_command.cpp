// weft test [PATH...] (SPEC 15): runs workflow test files, one line per case, the differences
// of a failing one, "N passed, M failed" last. Exit 0 when all pass, 1 when any fails, 2 when a
// test file (or the workflow it tests) is invalid.
#include "weft/workflow/workflow_loader.hpp"
#include "weft_app.hpp"
#include "weft/delivery/destination.hpp"
#include "workflow_test_file.hpp"
#include "workflow_test_run.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <tuple>

namespace weft::app {
namespace {

constexpr int exit_failed = 1;
constexpr int exit_invalid_test = 2;

// The test files of `paths`; a file named that is not one is a diagnostic.
std::vector<std::filesystem::path> test_files(const std::vector<std::filesystem::path>& paths, std::vector<Diagnostic>& diagnostics) {
  std::vector<std::filesystem::path> files;
  for (const auto& file : expand_paths(paths, is_workflow_test_file, diagnostics)) {
    if (is_workflow_test_file(file))
      files.push_back(file);
    else
      diagnostics.push_back({file.string(), 1, 1, "not a workflow test file: their names end in .test.yaml"});
  }
  return files;
}

// Workflows by folder, each folder loaded once.
class WorkflowFolders {
public:
  WorkflowFolders(const PluginRegistry& plugins, std::shared_ptr<const DeliveryRouting> routing)
      : plugins_(plugins), routing_(std::move(routing)) {}

  const Workflow* find(const std::filesystem::path& folder, const std::string& source, std::vector<Diagnostic>& diagnostics) {
    auto it = loaded_.find(folder);
    if (it == loaded_.end()) it = loaded_.emplace(folder, load_workflows({folder}, plugins_, diagnostics, routing_)).first;
    const auto found = it->second.find(source);
    return found == it->second.end() ? nullptr : found->second.get();
  }

private:
  const PluginRegistry& plugins_;
  std::shared_ptr<const DeliveryRouting> routing_;  // the destinations' (SPEC 17): nothing is sent in a test
  std::map<std::filesystem::path, std::map<std::string, std::shared_ptr<const Workflow>>> loaded_;
};

}  // namespace

int test_command(const Invocation& invocation) {
  std::vector<std::filesystem::path> paths(invocation.args.begin(), invocation.args.end());
  if (paths.empty()) paths.push_back(invocation.settings.workflows);

  std::vector<Diagnostic> diagnostics;
  std::vector<TestFile> tests;
  for (const auto& file : test_files(paths, diagnostics))
    if (auto test = read_test_file(file, diagnostics)) tests.push_back(std::move(*test));
  if (tests.empty() && diagnostics.empty()) diagnostics.push_back({paths.front().string(), 1, 1, "no workflow test files (*.test.yaml) found"});

  PluginRegistry plugins;
  for (const auto& dir : invocation.settings.plugin_dirs) plugins.load_directory(dir);
  for (const auto& refusal : plugins.refusals()) std::cerr << refusal.str() << "\n";
  // The destinations folder gives deliver nodes their destinations and the subscriptions. Nothing
  // is sent in a test: a secret or header variable unset here is no mistake of the workflow's.
  const EnvironmentLookup environment = [real = process_environment()](const std::string& name) {
    return real(name).value_or("unset in weft test");
  };
  WorkflowFolders folders(plugins, routing_of(load_destinations(invocation.settings.destinations, environment, diagnostics)));
  std::vector<const Workflow*> workflows;
  for (const TestFile& test : tests) {
    const auto folder = std::filesystem::path(test.file).parent_path();
    const std::filesystem::path here = folder.empty() ? "." : folder;
    const std::filesystem::path& configured = invocation.settings.workflows;
    std::error_code ec;
    const bool also_configured = std::filesystem::is_directory(configured, ec) && !std::filesystem::equivalent(here, configured, ec);
    const Workflow* workflow = folders.find(here, test.source, diagnostics);
    if (!workflow && also_configured) workflow = folders.find(configured, test.source, diagnostics);
    if (!workflow)
      diagnostics.push_back({test.file, test.source_line, test.source_column,
                             "no workflow defines source '" + test.source + "' (looked in " + here.string() +
                                 (also_configured ? " and " + configured.string() : std::string()) + ")"});
    workflows.push_back(workflow);
  }
  if (!diagnostics.empty()) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
    });
    for (const auto& d : diagnostics) std::cerr << d.str() << "\n";
    return exit_invalid_test;
  }

  int passed = 0, failed = 0;
  for (std::size_t i = 0; i < tests.size(); ++i) {
    for (const TestCase& test : tests[i].cases) {
      const auto differences = run_test_case(*workflows[i], test, invocation.settings.max_json_depth, invocation.settings.max_items);
      const std::string where = tests[i].file + ":" + std::to_string(test.line);
      if (differences.empty()) {
        ++passed;
        std::cout << "ok    " << where << ": " << test.name << "\n";
      } else {
        ++failed;
        std::cout << "FAIL  " << where << ": " << test.name << "\n";
        for (const auto& d : differences) std::cout << "      " << d << "\n";
      }
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed > 0 ? exit_failed : exit_ok;
}

}  // namespace weft::app
