#include "runtime_setup.hpp"

#include "weft/store/store_factory.hpp"
#include "weft/store/store_location.hpp"
#include "weft/workflow/workflow_loader.hpp"

#include <iostream>

namespace weft::app {

std::unique_ptr<Workflows> load_workflows_or_report(const Settings& settings, const std::string& command) {
  auto loaded = std::make_unique<Workflows>();
  for (const auto& dir : settings.plugin_dirs) loaded->plugins.load_directory(dir);
  for (const auto& refusal : loaded->plugins.refusals()) std::cerr << refusal.str() << "\n";
  std::vector<Diagnostic> diagnostics;
  loaded->destinations = load_destinations(settings.destinations, process_environment(), diagnostics);
  loaded->routing = routing_of(loaded->destinations);
  loaded->by_source = load_workflows({settings.workflows}, loaded->plugins, diagnostics, loaded->routing);
  for (const auto& d : diagnostics) std::cerr << d.str() << "\n";
  if (!diagnostics.empty()) {
    std::cerr << "weft " << command << ": fix the workflows and destinations above first (`weft validate` checks them)\n";
    return nullptr;
  }
  return loaded;
}

std::filesystem::path install_prefix() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self.parent_path().parent_path();
}

std::filesystem::path console_dir() {
  const auto prefix = install_prefix();
  std::error_code ec;
  for (const std::filesystem::path& dir : {prefix.empty() ? prefix : prefix / "share" / "weft" / "ui", std::filesystem::path(WEFT_BUILD_UI_DIR)})
    if (!dir.empty() && std::filesystem::is_regular_file(dir / "index.html", ec)) return dir;
  return {};
}

std::unique_ptr<Store> open_store_or_report(const Settings& settings, const std::string& command, StoreUse use) {
  try {
    auto store = open_store(settings.store);
    if (store->hold(use == StoreUse::alone)) return store;
    if (use == StoreUse::alone)
      std::cerr << "weft " << command << ": a server (or weft ingest or replay) is writing to the store " << redacted_location(settings.store)
                << "; stop it first (webhook senders retry), or use --url with a running server where the command has it\n";
    else
      std::cerr << "weft " << command << ": the store " << redacted_location(settings.store)
                << " is held by weft rebuild or weft profiles; wait for it to finish\n";
    return nullptr;
  } catch (const StoreError& e) {
    std::cerr << "weft " << command << ": " << e.what() << "\n";
    return nullptr;
  }
}

}  // namespace weft::app
