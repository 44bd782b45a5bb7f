// JSONPath: RFC 9535 queries, the whole RFC (SPEC 4). A query selects a nodelist in the order
// the RFC defines; where one value is wanted it is the first node. Singular queries (names and
// indexes only) take a fast path of their own, and are the only paths nodes may write to.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

namespace jsonpath {
struct ParsedQuery;
}

class JsonPathError : public std::runtime_error {
public:
  JsonPathError(const std::string& message, std::size_t offset) : std::runtime_error(message), offset_(offset) {}
  // Byte offset in the path text where the problem is.
  std::size_t offset() const { return offset_; }

private:
  std::size_t offset_;
};

// An evaluation that would visit more than JsonPath::max_steps nodes, or make a nodelist of
// more than JsonPath::max_nodes: the query times the document is too large (SPEC 4).
class JsonPathLimitError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// One step of a singular query.
struct PathSegment {
  enum class Kind { name, index };
  Kind kind;
  std::string name;    // Kind::name: the member name, escapes resolved
  std::int64_t index;  // Kind::index: negative counts from the end
};

class JsonPath {
public:
  // Node visits one evaluation may make: a filter over 100,000 elements takes some 200,000, a
  // descendant segment over a 1 MiB document at most about a million.
  static constexpr std::size_t max_steps = std::size_t{1} << 26;
  // Nodes one nodelist may hold (16 MiB of pointers). A 1 MiB document has at most some
  // 524,000 values: a larger nodelist is one node selected many times over.
  static constexpr std::size_t max_nodes = std::size_t{1} << 21;

  // Parses `text`; throws JsonPathError naming what was expected and where.
  static JsonPath parse(std::string_view text);

  // The first node the query selects in `root`, or nullptr when it selects nothing (missing).
  // Throws JsonPathLimitError (never for a singular query).
  const rapidjson::Value* select(const rapidjson::Value& root) const;
  // Appends every node the query selects, in RFC 9535 order. Throws JsonPathLimitError.
  void select_all(const rapidjson::Value& root, std::vector<const rapidjson::Value*>& nodes) const;

  // Whether this is a singular query: names and indexes only, at most one node.
  bool singular() const { return singular_; }
  // A singular query's steps (empty for `$` and for any other query).
  const std::vector<PathSegment>& segments() const { return segments_; }
  const std::string& text() const { return text_; }

private:
  std::string text_;
  bool singular_ = false;
  std::vector<PathSegment> segments_;
  std::shared_ptr<const jsonpath::ParsedQuery> query_;
};

}  // namespace weft
