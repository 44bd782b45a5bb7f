// RFC 9535 evaluation (section 2.3 to 2.7): segments applied in turn to the nodelist so far,
// descendants visited parent first with an explicit stack (no recursion on the document),
// filters with RFC comparison semantics. Work is bounded: every node visited counts one step,
// absolute queries inside a filter are evaluated once per evaluation, and regexes taken from
// the document are compiled once per distinct pattern.
#include "weft/event/jsonpath.hpp"

#include "jsonpath_syntax.hpp"
#include "weft/event/json.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_map>

namespace weft::jsonpath {
namespace {

using Node = const rapidjson::Value*;
using Nodes = std::vector<Node>;

std::string_view text_of(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// A comparable's value: Nothing (nullptr), a node of the document or query, or a number the
// evaluation computed (length, count).
struct Result {
  Node node = nullptr;
  rapidjson::Value computed;
  const rapidjson::Value* get() const { return computed.IsNull() ? node : &computed; }
  static Result of_number(std::int64_t n) {
    Result r;
    r.computed.SetInt64(n);
    return r;
  }
};

bool numbers_equal(const rapidjson::Value& a, const rapidjson::Value& b) {
  if (a.IsInt64() && b.IsInt64()) return a.GetInt64() == b.GetInt64();
  if (a.IsUint64() && b.IsUint64()) return a.GetUint64() == b.GetUint64();
  if (a.IsDouble() || b.IsDouble()) return a.GetDouble() == b.GetDouble();
  return false;  // one int64 below zero, one uint64 above INT64_MAX
}

bool numbers_less(const rapidjson::Value& a, const rapidjson::Value& b) {
  if (a.IsInt64() && b.IsInt64()) return a.GetInt64() < b.GetInt64();
  if (a.IsUint64() && b.IsUint64()) return a.GetUint64() < b.GetUint64();
  if (a.IsDouble() || b.IsDouble()) return a.GetDouble() < b.GetDouble();
  return a.IsInt64();  // a < 0 <= INT64_MAX < b
}

bool deep_equal(const rapidjson::Value& a, const rapidjson::Value& b);

// Objects are equal when they hold the same names with equal values, in any order. Sorting
// the members keeps this O(n log n) where a lookup per member would be quadratic.
bool objects_equal(const rapidjson::Value& a, const rapidjson::Value& b) {
  if (a.MemberCount() != b.MemberCount()) return false;
  using Member = const rapidjson::Value::Member*;
  const auto sorted = [](const rapidjson::Value& object) {
    std::vector<Member> members;
    members.reserve(object.MemberCount());
    for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) members.push_back(&*it);
    std::stable_sort(members.begin(), members.end(), [](Member x, Member y) { return text_of(x->name) < text_of(y->name); });
    return members;
  };
  const std::vector<Member> left = sorted(a), right = sorted(b);
  for (std::size_t i = 0; i < left.size(); ++i)
    if (text_of(left[i]->name) != text_of(right[i]->name) || !deep_equal(left[i]->value, right[i]->value)) return false;
  return true;
}

bool deep_equal(const rapidjson::Value& a, const rapidjson::Value& b) {
  if (a.IsNumber() && b.IsNumber()) return numbers_equal(a, b);
  if (a.GetType() != b.GetType()) return false;
  switch (a.GetType()) {
    case rapidjson::kNullType:
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return true;
    case rapidjson::kStringType:
      return text_of(a) == text_of(b);
    case rapidjson::kArrayType:
      if (a.Size() != b.Size()) return false;
      for (rapidjson::SizeType i = 0; i < a.Size(); ++i)
        if (!deep_equal(a[i], b[i])) return false;
      return true;
    case rapidjson::kObjectType:
      return objects_equal(a, b);
    case rapidjson::kNumberType:
      return numbers_equal(a, b);
  }
  return false;
}

// RFC 9535 2.3.5.2.2: Nothing equals only Nothing; `<` holds between numbers and between
// strings (by code point, which UTF-8 byte order is), else never.
bool equal(const rapidjson::Value* a, const rapidjson::Value* b) {
  if (!a || !b) return !a && !b;
  return deep_equal(*a, *b);
}

bool less(const rapidjson::Value* a, const rapidjson::Value* b) {
  if (!a || !b) return false;
  if (a->IsNumber() && b->IsNumber()) return numbers_less(*a, *b);
  if (a->IsString() && b->IsString()) return text_of(*a) < text_of(*b);
  return false;
}

bool compare(CompareOp op, const rapidjson::Value* a, const rapidjson::Value* b) {
  switch (op) {
    case CompareOp::eq: return equal(a, b);
    case CompareOp::ne: return !equal(a, b);
    case CompareOp::lt: return less(a, b);
    case CompareOp::le: return less(a, b) || equal(a, b);
    case CompareOp::gt: return less(b, a);
    case CompareOp::ge: return less(b, a) || equal(a, b);
  }
  return false;
}

std::int64_t code_points(std::string_view text) {
  std::int64_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

class Evaluator {
public:
  explicit Evaluator(const rapidjson::Value& root) : root_(root) {}

  void query(const Query& query, const rapidjson::Value& current, Nodes& out) {
    Nodes nodes{query.absolute ? &root_ : &current};
    for (const Segment& segment : query.segments) {
      Nodes next;
      for (const Node node : nodes) apply(segment, *node, next);
      nodes.swap(next);
    }
    if (out.size() + nodes.size() > JsonPath::max_nodes) too_many_nodes();
    out.insert(out.end(), nodes.begin(), nodes.end());
  }

private:
  [[noreturn]] static void too_many_nodes() {
    throw JsonPathLimitError("the query selects more than " + std::to_string(JsonPath::max_nodes) + " nodes of this document");
  }

  // Every nodelist grows through here: its size is bounded as well as the steps to make it.
  static void emit(Nodes& out, Node node) {
    if (out.size() >= JsonPath::max_nodes) too_many_nodes();
    out.push_back(node);
  }

  void step() {
    if (++steps_ > JsonPath::max_steps) throw JsonPathLimitError("the query visits more than " + std::to_string(JsonPath::max_steps) + " nodes of this document");
  }

  void apply(const Segment& segment, const rapidjson::Value& node, Nodes& out) {
    if (!segment.descendant) {
      for (const Selector& selector : segment.selectors) select(selector, node, out);
      return;
    }
    // Parent before children, children in document order: a stack popped in reverse.
    std::vector<Node> stack{&node};
    while (!stack.empty()) {
      const rapidjson::Value& visited = *stack.back();
      stack.pop_back();
      step();
      for (const Selector& selector : segment.selectors) select(selector, visited, out);
      if (visited.IsArray()) {
        for (auto it = visited.End(); it != visited.Begin();) stack.push_back(&*--it);
      } else if (visited.IsObject()) {
        for (auto it = visited.MemberEnd(); it != visited.MemberBegin();) stack.push_back(&(--it)->value);
      }
    }
  }

  void select(const Selector& selector, const rapidjson::Value& node, Nodes& out) {
    switch (selector.kind) {
      case Selector::Kind::name:
        if (node.IsObject()) {
          step();
          if (const Node child = child_by_name(node, selector.name)) emit(out, child);
        }
        return;
      case Selector::Kind::index:
        if (node.IsArray()) {
          step();
          if (const Node child = child_by_index(node, selector.index)) emit(out, child);
        }
        return;
      case Selector::Kind::wildcard:
        each_child(node, [&](const rapidjson::Value& child) { emit(out, &child); });
        return;
      case Selector::Kind::slice:
        if (node.IsArray()) slice(selector.slice, node, out);
        return;
      case Selector::Kind::filter:
        each_child(node, [&](const rapidjson::Value& child) {
          if (test(*selector.filter, child)) emit(out, &child);
        });
        return;
    }
  }

  template <class F>
  void each_child(const rapidjson::Value& node, F&& f) {
    if (node.IsArray()) {
      for (const auto& element : node.GetArray()) {
        step();
        f(element);
      }
    } else if (node.IsObject()) {
      for (auto it = node.MemberBegin(); it != node.MemberEnd(); ++it) {
        step();
        f(it->value);
      }
    }
  }

  // RFC 9535 2.3.4.2.2.
  void slice(const Slice& s, const rapidjson::Value& array, Nodes& out) {
    const auto len = static_cast<std::int64_t>(array.Size());
    if (s.step == 0) return;
    const auto normalize = [len](std::int64_t i) { return i >= 0 ? i : len + i; };
    const std::int64_t start = s.start ? normalize(*s.start) : (s.step > 0 ? 0 : len - 1);
    const std::int64_t end = s.end ? normalize(*s.end) : (s.step > 0 ? len : -len - 1);
    const auto at = [&](std::int64_t i) {
      step();
      emit(out, &array[static_cast<rapidjson::SizeType>(i)]);
    };
    if (s.step > 0) {
      const std::int64_t lower = std::min(std::max(start, std::int64_t{0}), len);
      const std::int64_t upper = std::min(std::max(end, std::int64_t{0}), len);
      for (std::int64_t i = lower; i < upper; i += s.step) at(i);
    } else {
      const std::int64_t upper = std::min(std::max(start, std::int64_t{-1}), len - 1);
      const std::int64_t lower = std::min(std::max(end, std::int64_t{-1}), len - 1);
      for (std::int64_t i = upper; lower < i; i += s.step) at(i);
    }
  }

  bool test(const LogicalExpr& expr, const rapidjson::Value& current) {
    switch (expr.kind) {
      case LogicalExpr::Kind::any_of:
        return std::any_of(expr.operands.begin(), expr.operands.end(), [&](const LogicalExpr& e) { return test(e, current); });
      case LogicalExpr::Kind::all_of:
        return std::all_of(expr.operands.begin(), expr.operands.end(), [&](const LogicalExpr& e) { return test(e, current); });
      case LogicalExpr::Kind::negation:
        return !test(expr.operands[0], current);
      case LogicalExpr::Kind::comparison: {
        const Result left = value(*expr.left, current);
        const Result right = value(*expr.right, current);
        return compare(expr.op, left.get(), right.get());
      }
      case LogicalExpr::Kind::exists: {
        Nodes scratch;
        return !nodes_of(*expr.query, current, scratch).empty();
      }
      case LogicalExpr::Kind::function_test:
        return regex_test(*expr.call, current);
    }
    return false;
  }

  // The nodes of a query inside a filter; an absolute one is the same for every current node,
  // so it is evaluated once. `scratch` holds a relative query's nodes.
  const Nodes& nodes_of(const Query& query, const rapidjson::Value& current, Nodes& scratch) {
    if (query.absolute) {
      const auto found = absolute_.find(&query);
      if (found != absolute_.end()) return found->second;
      Nodes nodes;
      this->query(query, current, nodes);
      return absolute_.emplace(&query, std::move(nodes)).first->second;
    }
    this->query(query, current, scratch);
    return scratch;
  }

  // A singular query's node, walked directly: names and indexes only.
  Node singular(const Query& query, const rapidjson::Value& current) {
    Node node = query.absolute ? &root_ : &current;
    for (const Segment& segment : query.segments) {
      step();
      const Selector& selector = segment.selectors[0];
      node = selector.kind == Selector::Kind::name ? child_by_name(*node, selector.name) : child_by_index(*node, selector.index);
      if (!node) return nullptr;
    }
    return node;
  }

  Result value(const ValueExpr& expr, const rapidjson::Value& current) {
    Result result;
    switch (expr.kind) {
      case ValueExpr::Kind::literal:
        result.node = &expr.literal;
        return result;
      case ValueExpr::Kind::query:
        result.node = singular(*expr.query, current);
        return result;
      case ValueExpr::Kind::function:
        return call(*expr.call, current);
    }
    return result;
  }

  Result call(const FunctionCall& call, const rapidjson::Value& current) {
    switch (call.function) {
      case Function::length: {
        const Result argument = value(call.values[0], current);
        const rapidjson::Value* v = argument.get();
        if (!v) return {};
        if (v->IsString()) return Result::of_number(code_points(text_of(*v)));
        if (v->IsArray()) return Result::of_number(v->Size());
        if (v->IsObject()) return Result::of_number(v->MemberCount());
        return {};
      }
      case Function::count: {
        Nodes scratch;
        return Result::of_number(static_cast<std::int64_t>(nodes_of(*call.nodes, current, scratch).size()));
      }
      case Function::value: {
        Nodes scratch;
        const Nodes& nodes = nodes_of(*call.nodes, current, scratch);
        Result result;
        if (nodes.size() == 1) result.node = nodes[0];
        return result;
      }
      case Function::match:
      case Function::search:
        break;
    }
    return {};
  }

  bool regex_test(const FunctionCall& call, const rapidjson::Value& current) {
    const Result subject = value(call.values[0], current);
    const rapidjson::Value* text = subject.get();
    if (!text || !text->IsString()) return false;
    const IRegexp* regex = call.literal_pattern.get();
    if (call.values[1].kind != ValueExpr::Kind::literal) {
      const Result pattern = value(call.values[1], current);
      if (!pattern.get() || !pattern.get()->IsString()) return false;
      regex = compiled(text_of(*pattern.get()));
    }
    if (!regex) return false;
    return call.function == Function::match ? regex->matches_whole(text_of(*text)) : regex->found_in(text_of(*text));
  }

  // Patterns from the document, compiled once each (a few kept: one per element is common).
  const IRegexp* compiled(std::string_view pattern) {
    const auto found = patterns_.find(std::string(pattern));
    if (found != patterns_.end()) return found->second.get();
    if (patterns_.size() >= 16) patterns_.clear();
    return patterns_.emplace(std::string(pattern), IRegexp::compile(pattern)).first->second.get();
  }

  const rapidjson::Value& root_;
  std::size_t steps_ = 0;
  std::unordered_map<const Query*, Nodes> absolute_;
  std::unordered_map<std::string, std::unique_ptr<IRegexp>> patterns_;
};

}  // namespace

void evaluate(const Query& query, const rapidjson::Value& root, std::vector<const rapidjson::Value*>& nodes) {
  Evaluator(root).query(query, root, nodes);
}

}  // namespace weft::jsonpath
