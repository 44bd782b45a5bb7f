// What serve, ingest and replay all start with: the plugins, the workflows and the store named
// by the settings, each failure reported on stderr with what to do.
#pragma once

#include "weft/delivery/destination.hpp"

#include "weft/plugin/plugin_registry.hpp"
#include "weft/base/settings.hpp"
#include "weft/store/store.hpp"
#include "weft/workflow/workflow.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace weft::app {

struct Workflows {
  PluginRegistry plugins;  // refused libraries are reported, not fatal
  std::map<std::string, Destination> destinations;
  std::shared_ptr<const DeliveryRouting> routing;  // of the destinations; every workflow holds it
  std::map<std::string, std::shared_ptr<const Workflow>> by_source;
};

// The workflows with the destinations they deliver to (SPEC 17); nullptr when a workflow or a
// destination is invalid (every error printed first).
std::unique_ptr<Workflows> load_workflows_or_report(const Settings& settings, const std::string& command);

// The folder weft runs from is <prefix>/bin: that prefix (empty when it cannot be told).
std::filesystem::path install_prefix();

// The web console's files: the installed ones next to the binary (<prefix>/share/weft/ui),
// else the build tree's; empty when neither has an index.html (built without the console).
std::filesystem::path console_dir();

// How a command uses the store: writing beside other writers (serve, ingest, replay), or alone
// (rebuild, profiles without --url), refused while any other writer runs.
enum class StoreUse { beside_others, alone };

// nullptr when the store cannot be opened, or is held the other way (the reason printed first).
std::unique_ptr<Store> open_store_or_report(const Settings& settings, const std::string& command, StoreUse use);

}  // namespace weft::app
