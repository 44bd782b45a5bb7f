// json_path_extractor: copies the id at `path` into properties.<into> (SPEC 5), optionally
// lower-cased or hashed; leaves on `missing` when the path selects no usable id (SPEC 4): a
// blocked one, or with `allowed:` one that matches none of its patterns.
#include <weft/sdk.hpp>

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <string>

class JsonPathExtractor {
public:
  enum class Port { out, missing };
  static constexpr const char* ports[] = {"out", "missing"};
  static constexpr weft_config_field fields[] = {
      weft::required("path", WEFT_FIELD_JSONPATH, "where the value is, e.g. $.payload.event.user"),
      weft::optional("into", WEFT_FIELD_STRING, "the property to write: properties.<into>", "profile_key"),
      weft::choice("transform", "none|lower|sha256", "none", "applied after the blocked check: lower-case (ASCII) or hex SHA-256"),
      weft::optional("blocked", WEFT_FIELD_REGEX_LIST, "regexes for values that count as missing; replaces the default list"),
      weft::optional("allowed", WEFT_FIELD_REGEX_LIST, "regexes a value must match (one of them, as a whole) to count; others are missing"),
  };

  void configure(const weft::Config& config) {
    path_ = config.path("path");
    const std::string into = config.string_or("into", "profile_key");
    if (into.empty()) throw weft::Error("'into' must name a property");
    into_ = config.host().compile(weft::member_path("$.properties", into));
    const std::string transform = config.string_or("transform", "none");
    transform_ = transform == "lower" ? Transform::lower : transform == "sha256" ? Transform::sha256 : Transform::none;
    blocked_ = config.blocklist("blocked");
    allowed_ = config.patterns("allowed");
  }

  Port process(weft::Event& event) const {
    const auto id = event.id(path_, blocked_);
    if (!id || (allowed_.get() && !allowed_.matches(*id))) return Port::missing;
    switch (transform_) {
      case Transform::none:
        event.write(into_, *id);
        break;
      case Transform::lower: {
        std::string lowered(*id);
        std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
        event.write(into_, lowered);
        break;
      }
      case Transform::sha256: {
        Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
        sha.update(id->data(), static_cast<unsigned>(id->size()));
        event.write(into_, Poco::DigestEngine::digestToHex(sha.digest()));
        break;
      }
    }
    return Port::out;
  }

private:
  enum class Transform { none, lower, sha256 };
  weft::Path path_;
  weft::Path into_;
  Transform transform_ = Transform::none;
  weft::Blocklist blocked_;
  weft::Patterns allowed_;  // none: every id that is not blocked counts
};

WEFT_PLUGIN(JsonPathExtractor, "json_path_extractor", "1.0.0", "Copies the id at a JSONPath into properties.<into>")
