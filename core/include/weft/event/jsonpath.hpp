// JSONPath: the RFC 9535 subset weft supports (SPEC 4): `$`, `.name`, `['name']` / `["name"]`
// with RFC 9535 escapes, `[n]` and `[-n]`. Anything else in RFC 9535 (wildcards, slices,
// filters, descendants, unions) is refused with a message saying so.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

class JsonPathError : public std::runtime_error {
public:
  JsonPathError(const std::string& message, std::size_t offset) : std::runtime_error(message), offset_(offset) {}
  // Byte offset in the path text where the problem is.
  std::size_t offset() const { return offset_; }

private:
  std::size_t offset_;
};

struct PathSegment {
  enum class Kind { name, index };
  Kind kind;
  std::string name;    // Kind::name: the member name, escapes resolved
  std::int64_t index;  // Kind::index: negative counts from the end
};

class JsonPath {
public:
  // Parses `text`; throws JsonPathError naming what was expected and where.
  static JsonPath parse(std::string_view text);

  // The value the path selects in `root`, or nullptr when it selects nothing (missing).
  const rapidjson::Value* select(const rapidjson::Value& root) const;
  rapidjson::Value* select(rapidjson::Value& root) const;

  const std::vector<PathSegment>& segments() const { return segments_; }
  const std::string& text() const { return text_; }

private:
  std::string text_;
  std::vector<PathSegment> segments_;
};

}  // namespace weft
