// Breaks the ABI contract on purpose: C++ exceptions escape create and process. The host must
// contain them. Config: `in` = create | process.
#include <weft/plugin.h>

#include <stdexcept>
#include <string>

namespace {
int node;
const char* const ports[] = {"out"};
const weft_config_field fields[] = {{"in", WEFT_FIELD_ENUM, 1, nullptr, "create|process", "where to throw", nullptr, 0}};

void* create(const weft_host* host, const weft_config* config, weft_error*) {
  weft_value in{};
  host->config_get(config, "in", &in);
  if (std::string(in.string, in.length) == "create") throw std::runtime_error("escaped from create");
  return &node;
}
int process(void*, weft_event*, weft_error*) { throw std::runtime_error("escaped from process"); }
void destroy(void*) {}

const weft_plugin_descriptor descriptor = {sizeof(weft_plugin_descriptor), WEFT_ABI_MAJOR, WEFT_ABI_MINOR, "escaping", "0.0.1",
                                           "throws across the ABI", WEFT_KIND_NODE, fields, 1, ports, 1, create, process, destroy};
}  // namespace

extern "C" WEFT_EXPORT const weft_plugin_descriptor* weft_plugin_entry(void) { return &descriptor; }
