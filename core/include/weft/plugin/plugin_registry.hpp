// Loads plugin libraries through the C ABI and keeps the ones it accepts (SPEC 11).
// A library is refused, with its file and the reason, when it has no entry point, another ABI
// major (or a newer minor than this host), a duplicate or invalid name, a required function
// missing, or a config table that does not make sense. Refused libraries are closed again;
// accepted ones stay loaded as long as a Plugin (and so any node made from it) lives.
#pragma once

#include <weft/plugin.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weft {

// One config field, copied out of the plugin's table and checked.
struct FieldSpec {
  std::string name;
  weft_field_type type;
  bool required = false;
  std::optional<std::string> default_value;  // as written in YAML
  std::vector<std::string> choices;           // ENUM
  std::string description;
  std::vector<FieldSpec> fields;              // OBJECT
};

const char* field_type_name(weft_field_type type);

// What is wrong with a list of port names (a descriptor's or a node's own), or "".
std::string port_names_problem(const std::vector<std::string>& ports);

struct Plugin {
  std::string name;
  std::string version;
  std::string description;
  std::string file;  // the library it came from
  weft_plugin_kind kind;
  std::vector<FieldSpec> fields;
  std::vector<std::string> ports;  // by index; `error` is implicit
  const weft_plugin_descriptor* descriptor;
  std::shared_ptr<void> library;   // the dlopen handle; closed with the last reference

  bool is_trigger() const { return kind == WEFT_KIND_TRIGGER; }
};

struct PluginRefusal {
  std::string file;
  std::string reason;
  std::string str() const { return file + ": refused: " + reason; }
};

class PluginRegistry {
public:
  // Loads every *.so in `directory` (not recursive, in name order). A missing directory is a
  // refusal, not an exception.
  void load_directory(const std::filesystem::path& directory);
  // Loads one library; returns whether it was accepted (true, and nothing done, for a file
  // already loaded).
  bool load_file(const std::filesystem::path& file);

  // For a reload (SPEC 16): the plugins loaded so far, kept as they are (their libraries are
  // never unloaded while a node uses them, and a file already loaded is not read again), plus
  // the libraries in `directories` not loaded yet. Refusals are this scan's.
  PluginRegistry rescan(const std::vector<std::filesystem::path>& directories) const;

  std::shared_ptr<const Plugin> find(const std::string& name) const;
  std::vector<std::string> names() const;
  const std::map<std::string, std::shared_ptr<const Plugin>>& plugins() const { return plugins_; }
  const std::vector<PluginRefusal>& refusals() const { return refusals_; }

private:
  std::map<std::string, std::shared_ptr<const Plugin>> plugins_;
  std::vector<PluginRefusal> refusals_;
};

}  // namespace weft
