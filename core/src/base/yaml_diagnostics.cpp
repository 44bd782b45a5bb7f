#include "weft/base/yaml_diagnostics.hpp"

#include "weft/base/suggest.hpp"

#include <algorithm>
#include <set>

namespace weft {

void YamlDiagnostics::check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& prefix,
                                 const std::string& where) {
  std::set<std::string> seen;
  for (const auto& entry : map) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      error(entry.first.Mark(), "unknown key '" + prefix + key + "'" + where + did_you_mean(key, allowed, prefix));
    else if (!seen.insert(key).second)
      error(entry.first.Mark(), "duplicate key '" + prefix + key + "'" + where);
  }
}

}  // namespace weft
