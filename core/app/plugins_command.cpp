#include "weft/plugin/plugin_registry.hpp"
#include "weft/base/suggest.hpp"
#include "weft_app.hpp"

#include <iomanip>
#include <iostream>

namespace weft::app {
namespace {

const char* kind_name(const Plugin& plugin) { return plugin.is_trigger() ? "trigger" : "node"; }

void describe_fields(const std::vector<FieldSpec>& fields, const std::string& indent) {
  for (const FieldSpec& f : fields) {
    std::string type = field_type_name(f.type);
    if (f.type == WEFT_FIELD_ENUM) {
      type += " ";
      for (std::size_t i = 0; i < f.choices.size(); ++i) type += (i ? "|" : "") + f.choices[i];
    }
    std::string need = f.required ? "required" : f.default_value ? "default " + *f.default_value : "optional";
    std::cout << indent << std::left << std::setw(24) << f.name << " " << type << "; " << need << "\n"
              << indent << "    " << f.description << "\n";
    if (f.type == WEFT_FIELD_OBJECT || f.type == WEFT_FIELD_OBJECT_LIST) describe_fields(f.fields, indent + "  ");
  }
}

void describe(const Plugin& p) {
  std::cout << p.name << " " << p.version << " (" << kind_name(p) << ")\n"
            << "  " << p.description << "\n"
            << "  file:  " << p.file << "\n"
            << "  ports: ";
  for (const auto& port : p.ports) std::cout << port << ", ";
  std::cout << "error\n  config (under with:):\n";
  if (p.fields.empty()) std::cout << "    (none)\n";
  describe_fields(p.fields, "    ");
}

}  // namespace

int plugins_command(const Invocation& invocation) {
  PluginRegistry plugins;
  for (const auto& dir : invocation.settings.plugin_dirs) plugins.load_directory(dir);
  for (const auto& refusal : plugins.refusals()) std::cerr << refusal.str() << "\n";

  if (invocation.describe) {
    auto plugin = plugins.find(*invocation.describe);
    if (!plugin) {
      std::cerr << "weft: no plugin named '" << *invocation.describe << "'" << did_you_mean(*invocation.describe, plugins.names()) << "\n";
      return exit_invalid;
    }
    describe(*plugin);
  } else {
    for (const auto& [name, plugin] : plugins.plugins())
      std::cout << std::left << std::setw(30) << name << std::setw(10) << plugin->version << std::setw(9) << kind_name(*plugin)
                << plugin->description << "\n";
  }
  return plugins.refusals().empty() ? exit_ok : exit_invalid;
}

}  // namespace weft::app
