// The weft_host table handed to every node: config access, JSONPath, event reads and writes,
// id rules and logging, implemented on the core's own types.
#pragma once

#include "weft/event/id_rules.hpp"
#include "weft/event/jsonpath.hpp"

#include <weft/plugin.h>

#include <rapidjson/document.h>

#include <deque>
#include <string>
#include <vector>

struct weft_config {
  const rapidjson::Value* root;
  std::vector<std::string>* declared_ports = nullptr;  // config_declare_ports writes here, during create
  std::string* error_at = nullptr;                     // config_error_at writes the key path here
  mutable std::deque<std::string> texts{};              // what config_json handed out, alive during create
};
struct weft_path {
  weft::JsonPath path;
};
struct weft_blocklist {
  weft::IdRules rules;
};

namespace weft {

// A host table whose log lines are tagged with `*label` (which must outlive the table).
weft_host make_host_table(const std::string* label);

}  // namespace weft
