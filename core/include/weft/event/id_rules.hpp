// How a selected value becomes an id (SPEC 4): strings as they are, integers in decimal,
// booleans as true/false, trimmed; null, other numbers, objects and arrays are missing, and so
// is a blocked value. The default blocklist is "", null, undefined, anonymous, 0 and -1
// (ignoring case); a node's `blocked:` regexes (RE2, each matched against the whole value)
// replace it.
#pragma once

#include "weft/event/regex.hpp"

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

std::string_view trim(std::string_view text);

class IdRules {
public:
  IdRules() = default;  // the default blocklist
  // Custom rules; throws std::invalid_argument naming the pattern that does not compile.
  // Matching is linear in the value's length (see regex.hpp).
  explicit IdRules(const std::vector<std::string>& patterns);

  bool blocked(std::string_view trimmed) const;
  // Whether a custom pattern matches all of `text` (false for the default rules).
  bool matches(std::string_view text) const { return custom_ && patterns_.matches(text); }

  // The id for `value` (may be nullptr: nothing selected). String ids point into `value`;
  // integer and boolean ids are written into `scratch`.
  std::optional<std::string_view> read(const rapidjson::Value* value, std::string& scratch) const;

private:
  bool custom_ = false;
  PatternSet patterns_;
};

}  // namespace weft
