// The parsed form of an RFC 9535 query, shared by the parser and the evaluator (internal to
// the event layer; users see weft::JsonPath). Immutable once parsed.
#pragma once

#include "weft/event/iregexp.hpp"
#include "weft/event/json.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

namespace weft::jsonpath {

struct Query;
struct LogicalExpr;

struct Slice {
  std::optional<std::int64_t> start;
  std::optional<std::int64_t> end;
  std::int64_t step = 1;
};

struct Selector {
  enum class Kind { name, wildcard, index, slice, filter };
  Kind kind = Kind::name;
  std::string name;                     // Kind::name, escapes resolved
  std::int64_t index = 0;               // Kind::index, negative counts from the end
  Slice slice;                          // Kind::slice
  std::unique_ptr<LogicalExpr> filter;  // Kind::filter
};

struct Segment {
  bool descendant = false;  // `..`: the selectors apply to the node and every descendant
  std::vector<Selector> selectors;
};

struct Query {
  bool absolute = true;  // `$` (the document) or `@` (the current node of a filter)
  std::vector<Segment> segments;
  bool singular() const;  // RFC 9535 2.3.5.1: names and indexes only, one per segment
};

enum class Function { length, count, match, search, value };

struct FunctionCall;

// A comparable, or a function argument of ValueType: a literal, a singular query, or a
// function whose result is a value (length, count, value).
struct ValueExpr {
  enum class Kind { literal, query, function };
  Kind kind = Kind::literal;
  rapidjson::Value literal;  // Kind::literal; strings owned by the query's allocator
  std::unique_ptr<Query> query;
  std::unique_ptr<FunctionCall> call;
};

struct FunctionCall {
  Function function = Function::length;
  std::vector<ValueExpr> values;  // length, match, search: ValueType arguments
  std::unique_ptr<Query> nodes;   // count, value: the NodesType argument
  // match and search with a literal pattern (values[1]): compiled once (nullptr: not an
  // I-Regexp, or not a string).
  std::unique_ptr<IRegexp> literal_pattern;
};

enum class CompareOp { eq, ne, lt, le, gt, ge };

struct LogicalExpr {
  enum class Kind { any_of, all_of, negation, comparison, exists, function_test };
  Kind kind = Kind::exists;
  std::vector<LogicalExpr> operands;  // any_of (||), all_of (&&), negation (one)
  CompareOp op = CompareOp::eq;       // comparison
  std::unique_ptr<ValueExpr> left, right;
  std::unique_ptr<Query> query;        // exists: the query selects something
  std::unique_ptr<FunctionCall> call;  // function_test: match or search
};

// The parsed query and the allocator its literal strings live in.
struct ParsedQuery {
  rapidjson::MemoryPoolAllocator<> literals{256};
  Query query;
};

}  // namespace weft::jsonpath

namespace weft::jsonpath {

// Parses `text` as an RFC 9535 query (well-typedness included); throws weft::JsonPathError
// with the byte offset of the problem.
std::shared_ptr<const ParsedQuery> parse(std::string_view text);

// The member `name` of `node` / its element `index` (negative: from the end), or nullptr when
// `node` is not an object / array or has no such member / element. Inline: every singular
// query's step is one of these.
inline const rapidjson::Value* child_by_name(const rapidjson::Value& node, std::string_view name) {
  if (!node.IsObject()) return nullptr;
  const auto it = find_member(node, name);
  return it == node.MemberEnd() ? nullptr : &it->value;
}

inline const rapidjson::Value* child_by_index(const rapidjson::Value& node, std::int64_t index) {
  if (!node.IsArray()) return nullptr;
  const auto size = static_cast<std::int64_t>(node.Size());
  const std::int64_t i = index < 0 ? size + index : index;
  return i >= 0 && i < size ? &node[static_cast<rapidjson::SizeType>(i)] : nullptr;
}

// Appends the nodelist `query` selects in `root` to `nodes`, in RFC 9535 order. Throws
// weft::JsonPathLimitError when the evaluation would take more than max_steps node visits.
void evaluate(const Query& query, const rapidjson::Value& root, std::vector<const rapidjson::Value*>& nodes);

}  // namespace weft::jsonpath
