// The weft_host table handed to every node: config access, JSONPath, event reads and writes,
// id rules and logging, implemented on the core's own types.
#pragma once

#include "weft/event/id_rules.hpp"
#include "weft/event/jsonpath.hpp"

#include <weft/plugin.h>

#include <rapidjson/document.h>

#include <string>

struct weft_config {
  const rapidjson::Value* root;
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
