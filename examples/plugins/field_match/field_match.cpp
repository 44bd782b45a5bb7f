// field_match: an example weft plugin. Leaves on `matched` when the value at `path` matches
// one of `patterns` (or, without patterns, whenever the path selects a value at all), and on
// `out` otherwise. Route `matched` to `drop` to ignore, say, messages posted by bots:
//
//   - id: skip_bots
//     plugin: field_match
//     with: { path: $.payload.event.bot_id }
//     on: { matched: drop }
#include <weft/sdk.hpp>

#include <regex>
#include <string>
#include <vector>

class FieldMatch {
public:
  enum class Port { out, matched };
  static constexpr const char* ports[] = {"out", "matched"};
  static constexpr weft_config_field fields[] = {
      weft::required("path", WEFT_FIELD_JSONPATH, "the value to look at"),
      weft::optional("patterns", WEFT_FIELD_REGEX_LIST, "regexes matched against the whole value; none: any value matches"),
  };

  void configure(const weft::Config& config) {
    path_ = config.path("path");
    for (const std::string& pattern : config.list("patterns")) patterns_.emplace_back(pattern);
  }

  Port process(weft::Event& event) const {
    const auto value = event.read(path_);
    if (!value || value->type == WEFT_TYPE_NULL) return Port::out;
    if (patterns_.empty()) return Port::matched;
    if (value->type != WEFT_TYPE_STRING) return Port::out;
    const std::string text(value->string, value->length);
    for (const std::regex& pattern : patterns_)
      if (std::regex_match(text, pattern)) return Port::matched;
    return Port::out;
  }

private:
  weft::Path path_;
  std::vector<std::regex> patterns_;
};

WEFT_PLUGIN(FieldMatch, "field_match", "1.0.0", "Leaves on `matched` when a field matches a pattern")
