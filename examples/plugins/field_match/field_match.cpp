// field_match: an example weft plugin. Leaves on `matched` when the value at `path` matches
// one of `patterns` (or, without patterns, whenever the path selects a value at all), and on
// `out` otherwise. Route `matched` to `drop` to ignore, say, messages posted by bots:
//
//   - id: skip_bots
//     plugin: field_match
//     with: { path: $.payload.event.bot_id }
//     on: { matched: drop }
#include <weft/sdk.hpp>

#include <string>

class FieldMatch {
public:
  enum class Port { out, matched };
  static constexpr const char* ports[] = {"out", "matched"};
  static constexpr weft_config_field fields[] = {
      weft::required("path", WEFT_FIELD_JSONPATH, "the value to look at"),
      weft::optional("patterns", WEFT_FIELD_REGEX_LIST, "regexes (RE2) matched against the whole value; none: any value matches"),
  };

  void configure(const weft::Config& config) {
    path_ = config.path("path");
    patterns_ = config.patterns("patterns");  // compiled by the host: RE2, linear in the value
  }

  Port process(weft::Event& event) const {
    const auto value = event.read(path_);
    if (!value || value->type == WEFT_TYPE_NULL) return Port::out;
    if (!patterns_.get()) return Port::matched;
    if (value->type != WEFT_TYPE_STRING) return Port::out;
    return patterns_.matches({value->string, value->length}) ? Port::matched : Port::out;
  }

private:
  weft::Path path_;
  weft::Patterns patterns_;
};

WEFT_PLUGIN(FieldMatch, "field_match", "1.0.0", "Leaves on `matched` when a field matches a pattern")
