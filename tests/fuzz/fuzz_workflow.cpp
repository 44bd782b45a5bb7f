// The workflow loader: any file is either a workflow or a list of file:line:column errors,
// with the built-in plugins loaded as in `weft validate`.
#include "weft/workflow/workflow_loader.hpp"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const weft::PluginRegistry plugins = [] {
    weft::PluginRegistry r;
    r.load_directory(WEFT_PLUGIN_DIR);
    return r;
  }();
  static const std::string file = "/tmp/weft-fuzz-workflow-" + std::to_string(getpid()) + ".yaml";
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  std::vector<weft::Diagnostic> diagnostics;
  weft::load_workflow(file, plugins, diagnostics);
  return 0;
}
