#include "weft/plugin/plugin_registry.hpp"

#include "weft/plugin/node_config.hpp"
#include "weft/base/text.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace weft {
namespace {

// Thrown while checking a descriptor; becomes a refusal.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool valid_name(const char* name) {
  return name && is_name(name, "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz0123456789_", 64);
}

std::string text_or_empty(const char* text) { return text ? text : ""; }

// The last field type a plugin of ABI minor `minor` may use.
weft_field_type last_field_type(std::uint32_t minor) {
  return minor >= 4 ? WEFT_FIELD_TEMPLATE : minor >= 2 ? WEFT_FIELD_OBJECT_LIST : WEFT_FIELD_OBJECT;
}

std::vector<FieldSpec> copy_fields(const weft_config_field* fields, std::size_t count, const std::string& prefix, int depth,
                                   std::uint32_t minor) {
  if (count > 0 && !fields) throw Refused("field_count is " + std::to_string(count) + " but the field table is NULL");
  if (depth > 4) throw Refused("config objects nested deeper than 4 levels");
  std::vector<FieldSpec> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < count; ++i) {
    const weft_config_field& f = fields[i];
    if (!f.name || !*f.name) throw Refused("config field #" + std::to_string(i + 1) + " has no name");
    FieldSpec spec;
    spec.name = f.name;
    const std::string where = "config field '" + prefix + spec.name + "'";
    if (!seen.insert(spec.name).second) throw Refused(where + " is declared twice");
    if (f.type < WEFT_FIELD_STRING || f.type > last_field_type(minor))
      throw Refused(where + " has unknown type " + std::to_string(static_cast<int>(f.type)) +
                    (f.type <= WEFT_FIELD_TEMPLATE ? " (it needs ABI 1." + std::string(f.type <= WEFT_FIELD_OBJECT_LIST ? "2" : "4") +
                                                         "; the plugin declares 1." + std::to_string(minor) + ")"
                                                   : ""));
    spec.type = f.type;
    spec.required = f.required != 0;
    spec.description = text_or_empty(f.description);
    if (f.type == WEFT_FIELD_ENUM) {
      spec.choices = split(text_or_empty(f.choices), '|');
      if (spec.choices.empty()) throw Refused(where + " is an enum without choices");
    }
    if (f.type == WEFT_FIELD_OBJECT || f.type == WEFT_FIELD_OBJECT_LIST) {
      if (f.field_count == 0) throw Refused(where + " is an object without fields");
      spec.fields = copy_fields(f.fields, f.field_count, prefix + spec.name + ".", depth + 1, minor);
    }
    if (f.default_value) {
      spec.default_value = f.default_value;
      const std::string problem = check_default_value(spec);
      if (!problem.empty()) throw Refused(where + " has default '" + *spec.default_value + "': " + problem);
    }
    out.push_back(std::move(spec));
  }
  return out;
}

std::vector<std::string> copy_ports(const weft_plugin_descriptor& d) {
  if (d.port_count == 0 || !d.ports) throw Refused("declares no ports (at least \"out\" is expected)");
  std::vector<std::string> ports;
  for (std::size_t i = 0; i < d.port_count; ++i) ports.emplace_back(d.ports[i] ? d.ports[i] : "");
  if (const std::string problem = port_names_problem(ports); !problem.empty()) throw Refused(problem);
  return ports;
}

// Reads and checks a descriptor; the minimum struct size is the ABI 1.0 layout.
Plugin describe(const weft_plugin_descriptor& d) {
  if (d.abi_major != WEFT_ABI_MAJOR)
    throw Refused("ABI version mismatch: plugin has major " + std::to_string(d.abi_major) + ", this weft expects " +
                  std::to_string(WEFT_ABI_MAJOR));
  if (d.abi_minor > WEFT_ABI_MINOR)
    throw Refused("plugin needs ABI " + std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor) +
                  ", this weft provides " + std::to_string(WEFT_ABI_MAJOR) + "." + std::to_string(WEFT_ABI_MINOR));
  if (d.struct_size < sizeof(weft_plugin_descriptor))
    throw Refused("descriptor struct_size is " + std::to_string(d.struct_size) + " bytes, expected at least " +
                  std::to_string(sizeof(weft_plugin_descriptor)));
  if (!valid_name(d.name)) throw Refused("invalid plugin name '" + text_or_empty(d.name) + "' (expected [a-z][a-z0-9_]{0,63})");
  const std::string name = d.name;
  if (!d.create) throw Refused("plugin '" + name + "' is missing the required function 'create'");
  if (!d.process) throw Refused("plugin '" + name + "' is missing the required function 'process'");
  if (!d.destroy) throw Refused("plugin '" + name + "' is missing the required function 'destroy'");
  if (!d.version || !*d.version) throw Refused("plugin '" + name + "' has no version");
  if (d.kind != WEFT_KIND_NODE && d.kind != WEFT_KIND_TRIGGER)
    throw Refused("plugin '" + name + "' has unknown kind " + std::to_string(static_cast<int>(d.kind)));

  Plugin plugin;
  plugin.name = name;
  plugin.version = d.version;
  plugin.description = text_or_empty(d.description);
  plugin.kind = d.kind;
  plugin.descriptor = &d;
  try {
    plugin.ports = copy_ports(d);
    plugin.fields = copy_fields(d.fields, d.field_count, "", 0, d.abi_minor);
  } catch (const Refused& e) {
    throw Refused("plugin '" + name + "' " + e.what());
  }
  return plugin;
}

}  // namespace

std::string port_names_problem(const std::vector<std::string>& ports) {
  if (ports.empty()) return "declares no ports (at least one is expected)";
  std::set<std::string> seen;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const std::string& port = ports[i];
    if (!valid_name(port.c_str()))
      return "port #" + std::to_string(i + 1) + " '" + port + "' has an invalid name (expected [a-z][a-z0-9_]*, at most 64 characters)";
    if (port == "error") return "declares port 'error', which every node has implicitly";
    if (!seen.insert(port).second) return "declares port '" + port + "' twice";
  }
  return "";
}

const char* field_type_name(weft_field_type type) {
  switch (type) {
    case WEFT_FIELD_STRING: return "string";
    case WEFT_FIELD_INTEGER: return "integer";
    case WEFT_FIELD_BOOLEAN: return "boolean";
    case WEFT_FIELD_JSONPATH: return "JSONPath";
    case WEFT_FIELD_PATH_OR_LITERAL: return "JSONPath or literal";
    case WEFT_FIELD_ENUM: return "one of";
    case WEFT_FIELD_REGEX_LIST: return "list of regexes";
    case WEFT_FIELD_MAP: return "map of name to JSONPath or literal";
    case WEFT_FIELD_OBJECT: return "object";
    case WEFT_FIELD_NUMBER: return "number";
    case WEFT_FIELD_SCALAR: return "value";
    case WEFT_FIELD_SCALAR_LIST: return "list of values";
    case WEFT_FIELD_REGEX: return "regex";
    case WEFT_FIELD_OBJECT_LIST: return "list of objects";
    case WEFT_FIELD_TEMPLATE: return "JSON template (maps, lists, values; \"$...\" strings are JSONPaths)";
  }
  return "unknown";
}

void PluginRegistry::load_directory(const std::filesystem::path& directory) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    refusals_.push_back({directory.string(), "not a directory of plugins"});
    return;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec))
    if (entry.path().extension() == ".so" && !entry.is_directory()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) load_file(file);
}

PluginRegistry PluginRegistry::rescan(const std::vector<std::filesystem::path>& directories) const {
  PluginRegistry next;
  next.plugins_ = plugins_;
  for (const auto& directory : directories) next.load_directory(directory);
  return next;
}

bool PluginRegistry::load_file(const std::filesystem::path& file) {
  const std::string path = file.string();
  for (const auto& [name, plugin] : plugins_)
    if (plugin->file == path) return true;
  // RTLD_LOCAL: one plugin's symbols never satisfy another's; RTLD_NOW: fail here, not later.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    refusals_.push_back({path, std::string("cannot load: ") + (why ? why : "unknown dlopen error")});
    return false;
  }
  std::shared_ptr<void> library(handle, [](void* h) { dlclose(h); });
  auto entry = reinterpret_cast<weft_plugin_entry_fn>(dlsym(handle, WEFT_PLUGIN_ENTRY_NAME));
  if (!entry) {
    refusals_.push_back({path, "no entry point '" WEFT_PLUGIN_ENTRY_NAME "' (is it a weft plugin? WEFT_PLUGIN(...) exports it)"});
    return false;
  }
  const weft_plugin_descriptor* descriptor = entry();
  if (!descriptor) {
    refusals_.push_back({path, WEFT_PLUGIN_ENTRY_NAME " returned NULL"});
    return false;
  }
  try {
    auto plugin = std::make_shared<Plugin>(describe(*descriptor));
    if (auto it = plugins_.find(plugin->name); it != plugins_.end())
      throw Refused("duplicate plugin name '" + plugin->name + "', already loaded from " + it->second->file);
    plugin->file = path;
    plugin->library = std::move(library);
    plugins_.emplace(plugin->name, std::move(plugin));
    return true;
  } catch (const Refused& e) {
    refusals_.push_back({path, e.what()});
    return false;
  }
}

std::shared_ptr<const Plugin> PluginRegistry::find(const std::string& name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : it->second;
}

std::vector<std::string> PluginRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, plugin] : plugins_) out.push_back(name);
  return out;
}

}  // namespace weft
