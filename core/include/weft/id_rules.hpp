// How a selected value becomes an id (SPEC 4): strings as they are, integers in decimal,
// booleans as true/false, trimmed; null, other numbers, objects and arrays are missing, and so
// is a blocked value. The default blocklist is "", null, undefined, anonymous, 0 and -1
// (ignoring case); a node's `blocked:` regexes replace it.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

std::string_view trim(std::string_view text);

class IdRules {
public:
  IdRules() = default;  // the default blocklist
  // Custom rules; throws std::invalid_argument naming the pattern that does not compile.
  explicit IdRules(const std::vector<std::string>& patterns);

  bool blocked(std::string_view trimmed) const;

  // The id for `value` (may be nullptr: nothing selected). String ids point into `value`;
  // integer and boolean ids are written into `scratch`.
  std::optional<std::string_view> read(const rapidjson::Value* value, std::string& scratch) const;

private:
  bool custom_ = false;
  std::vector<std::regex> patterns_;
};

}  // namespace weft
