// A node's `with:` checked against its plugin's config table and turned into a JSON object:
// unknown keys (with a suggestion), wrong types, invalid JSONPaths and regexes, missing
// required keys; defaults filled in. Plugins then read it through weft_host.config_get.
#pragma once

#include "weft/plugin/plugin_registry.hpp"

#include <rapidjson/document.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

namespace weft {

struct ConfigProblem {
  YAML::Mark mark;
  std::string message;
};

// Where each value of a node's config was written, by key path as plugins name it
// ("key", "outer.inner", "cases[1]", "cases[1].port"): for errors a plugin places (config_error_at).
using ConfigMarks = std::map<std::string, YAML::Mark>;

// Builds `out` (an object) from `with` (a map, or null/undefined for none). `where` is the
// mark to report missing keys at when `with` is absent. `marks`, when given, receives where
// every value is.
void build_node_config(const YAML::Node& with, const YAML::Mark& where, const std::vector<FieldSpec>& fields,
                       rapidjson::Document& out, std::vector<ConfigProblem>& problems, ConfigMarks* marks = nullptr);

// "" when the field's default parses as its type, else what is wrong.
std::string check_default_value(const FieldSpec& field);

}  // namespace weft
