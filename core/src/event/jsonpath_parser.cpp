// RFC 9535's grammar (section 2 and its collected ABNF), with the well-typedness rules of
// 2.4.3: every query the RFC calls invalid is a JsonPathError naming what was expected and
// where. A recursive descent over bytes; nesting is capped so a hostile query cannot exhaust
// the stack.
#include "weft/event/jsonpath.hpp"

#include "jsonpath_syntax.hpp"
#include "weft/event/utf8.hpp"

#include <cstdlib>
#include <string>

namespace weft::jsonpath {
namespace {

constexpr std::int64_t max_integer = (std::int64_t{1} << 53) - 1;  // RFC 9535: I-JSON exact integers
constexpr int max_depth = 64;                                      // nested filters and parentheses

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
// name-first: ALPHA / "_" / any non-ASCII (a UTF-8 lead or continuation byte).
bool is_name_first(char c) { return is_alpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }

const char* function_name(Function f) {
  switch (f) {
    case Function::length: return "length";
    case Function::count: return "count";
    case Function::match: return "match";
    case Function::search: return "search";
    case Function::value: return "value";
  }
  return "?";
}

bool returns_value(Function f) { return f == Function::length || f == Function::count || f == Function::value; }

// What a filter's operand turned out to be, before the context says whether it may be.
struct Operand {
  std::size_t at = 0;
  ValueExpr expr;
};

class Parser {
public:
  Parser(std::string_view text, ParsedQuery& out) : s_(text), out_(out) {}

  void run() {
    if (s_.empty()) fail("a JSONPath starts with '$', found an empty string");
    if (s_[0] != '$') fail("a JSONPath starts with '$'");
    pos_ = 1;
    segments(out_.query.segments);
    if (pos_ == s_.size()) return;
    const std::size_t rest = pos_;
    skip_blank();
    if (pos_ == s_.size()) {
      pos_ = rest;
      fail("blank space may only stand between segments, not at the end");
    }
    fail(std::string("expected '.' or '[' after a segment, found '") + s_[pos_] + "'");
  }

private:
  [[noreturn]] void fail(const std::string& message) const { fail_at(pos_, message); }
  [[noreturn]] void fail_at(std::size_t at, const std::string& message) const {
    throw JsonPathError(message + " at position " + std::to_string(at + 1), at);
  }

  bool at_end() const { return pos_ >= s_.size(); }
  bool next_is(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  void skip_blank() {
    while (pos_ < s_.size() && is_blank(s_[pos_])) ++pos_;
  }
  void expect(char c, const char* what) {
    if (!next_is(c)) fail(std::string("expected ") + what);
    ++pos_;
  }

  // segments = *(S segment): blank space before a segment belongs to it only if one follows.
  void segments(std::vector<Segment>& out) {
    while (true) {
      const std::size_t before = pos_;
      skip_blank();
      if (next_is('.') || next_is('[')) {
        out.push_back(segment());
        continue;
      }
      pos_ = before;
      return;
    }
  }

  Segment segment() {
    Segment segment;
    if (next_is('[')) {
      bracketed(segment);
      return segment;
    }
    ++pos_;  // '.'
    if (next_is('.')) {
      ++pos_;
      segment.descendant = true;
      if (next_is('[')) {
        bracketed(segment);
        return segment;
      }
      if (!next_is('*') && (at_end() || !is_name_first(s_[pos_]))) fail("expected a member name, '*' or '[' after '..'");
    }
    if (next_is('*')) {
      ++pos_;
      segment.selectors.push_back(Selector{Selector::Kind::wildcard, {}, 0, {}, nullptr});
      return segment;
    }
    if (at_end() || !is_name_first(s_[pos_])) fail("expected a member name or '*' after '.'");
    const std::size_t start = pos_;
    while (pos_ < s_.size() && (is_name_first(s_[pos_]) || is_digit(s_[pos_]))) ++pos_;
    segment.selectors.push_back(Selector{Selector::Kind::name, std::string(s_.substr(start, pos_ - start)), 0, {}, nullptr});
    return segment;
  }

  // "[" S selector *(S "," S selector) S "]"
  void bracketed(Segment& segment) {
    ++pos_;  // '['
    while (true) {
      skip_blank();
      segment.selectors.push_back(selector());
      skip_blank();
      if (next_is(',')) {
        ++pos_;
        continue;
      }
      if (at_end()) fail("unclosed '[': expected ']'");
      if (!next_is(']')) fail(std::string("expected ',' or ']' after a selector, found '") + s_[pos_] + "'");
      ++pos_;
      return;
    }
  }

  Selector selector() {
    if (at_end()) fail("unclosed '[': expected a selector");
    const char c = s_[pos_];
    Selector selector;
    if (c == '\'' || c == '"') {
      selector.kind = Selector::Kind::name;
      selector.name = string_literal(c);
    } else if (c == '*') {
      ++pos_;
      selector.kind = Selector::Kind::wildcard;
    } else if (c == '?') {
      ++pos_;
      skip_blank();
      selector.kind = Selector::Kind::filter;
      const Nesting nesting(*this);
      selector.filter = std::make_unique<LogicalExpr>(logical_or());
    } else if (c == '-' || is_digit(c) || c == ':') {
      index_or_slice(selector);
    } else {
      fail("expected a selector inside '[]': a quoted name, '*', an index, a slice or a filter '?'");
    }
    return selector;
  }

  // index-selector = int; slice-selector = [start S] ":" S [end S] [":" [S step]]
  void index_or_slice(Selector& selector) {
    std::optional<std::int64_t> start;
    if (!next_is(':')) start = integer();
    const std::size_t after_start = pos_;
    skip_blank();
    if (!next_is(':')) {
      pos_ = after_start;
      selector.kind = Selector::Kind::index;
      selector.index = *start;
      return;
    }
    ++pos_;
    selector.kind = Selector::Kind::slice;
    selector.slice.start = start;
    skip_blank();
    if (next_is('-') || (!at_end() && is_digit(s_[pos_]))) {
      selector.slice.end = integer();
      skip_blank();
    }
    if (next_is(':')) {
      ++pos_;
      skip_blank();
      if (next_is('-') || (!at_end() && is_digit(s_[pos_]))) selector.slice.step = integer();
    }
  }

  // int = "0" / (["-"] DIGIT1 *DIGIT), within I-JSON's exact range.
  std::int64_t integer() {
    const std::size_t start = pos_;
    const bool negative = next_is('-');
    if (negative) ++pos_;
    if (at_end() || !is_digit(s_[pos_])) fail("expected a digit");
    if (s_[pos_] == '0' && (negative || (pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1]))))
      fail(negative ? "'-0' is not a valid integer here" : "an integer has no leading zeros");
    std::int64_t value = 0;
    while (!at_end() && is_digit(s_[pos_])) {
      value = value * 10 + (s_[pos_] - '0');
      if (value > max_integer) fail_at(start, "integer out of range (at most 2^53-1 either way)");
      ++pos_;
    }
    return negative ? -value : value;
  }

  std::uint32_t hex4() {
    if (pos_ + 4 > s_.size()) fail("expected four hex digits after '\\u'");
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_];
      value <<= 4;
      if (is_digit(c))
        value |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        value |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        value |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        fail("expected a hex digit in a '\\u' escape");
      ++pos_;
    }
    return value;
  }

  std::string string_literal(char quote) {
    ++pos_;
    std::string out;
    while (true) {
      if (at_end()) fail(std::string("unterminated string, expected ") + quote);
      const char c = s_[pos_];
      if (c == quote) {
        ++pos_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail("control characters must be escaped in a string");
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (at_end()) fail("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case '/': out += '/'; break;
        case '\\': out += '\\'; break;
        case '\'':
        case '"':
          if (e != quote) fail_at(pos_ - 2, std::string("'\\") + e + "' is only an escape inside " + e + "-quoted strings");
          out += e;
          break;
        case 'u': {
          std::uint32_t cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail("a low surrogate without a high surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u') fail("a high surrogate must be followed by '\\u' and a low surrogate");
            pos_ += 2;
            const std::uint32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("a high surrogate must be followed by a low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, static_cast<char32_t>(cp));
          break;
        }
        default:
          fail_at(pos_ - 2, std::string("unknown escape '\\") + e + "'");
      }
    }
  }

  // ---- filters ----

  // Filters, parentheses and function calls nest; each level is one frame of this parser.
  struct Nesting {
    explicit Nesting(Parser& parser) : parser_(parser) {
      if (++parser_.nesting_ > max_depth) parser_.fail("the query nests filters, parentheses and functions more than 64 deep");
    }
    ~Nesting() { --parser_.nesting_; }
    Parser& parser_;
  };

  // logical-or-expr = logical-and-expr *(S "||" S logical-and-expr)
  LogicalExpr logical_or() { return chain("||", LogicalExpr::Kind::any_of, &Parser::logical_and); }
  // logical-and-expr = basic-expr *(S "&&" S basic-expr)
  LogicalExpr logical_and() { return chain("&&", LogicalExpr::Kind::all_of, &Parser::basic); }

  // `operand` *(S op S `operand`): one operand alone stands for itself.
  LogicalExpr chain(std::string_view op, LogicalExpr::Kind kind, LogicalExpr (Parser::*operand)()) {
    LogicalExpr first = (this->*operand)();
    if (!operator_follows(op)) return first;
    LogicalExpr all;
    all.kind = kind;
    all.operands.push_back(std::move(first));
    while (operator_follows(op)) {
      skip_blank();
      pos_ += op.size();
      skip_blank();
      all.operands.push_back((this->*operand)());
    }
    return all;
  }

  // Whether blank space and then `op` come next (without consuming them).
  bool operator_follows(std::string_view op) const {
    std::size_t p = pos_;
    while (p < s_.size() && is_blank(s_[p])) ++p;
    return s_.substr(p, op.size()) == op;
  }

  // basic-expr = paren-expr / comparison-expr / test-expr
  LogicalExpr basic() {
    if (next_is('!')) {
      ++pos_;
      skip_blank();
      LogicalExpr negation;
      negation.kind = LogicalExpr::Kind::negation;
      if (next_is('('))
        negation.operands.push_back(parenthesised());
      else
        negation.operands.push_back(test(operand()));
      return negation;
    }
    if (next_is('(')) return parenthesised();
    Operand left = operand();
    const std::size_t after_left = pos_;
    skip_blank();
    const std::optional<CompareOp> op = comparison_operator();
    if (!op) {
      pos_ = after_left;
      return test(std::move(left));
    }
    skip_blank();
    Operand right = operand();
    LogicalExpr comparison;
    comparison.kind = LogicalExpr::Kind::comparison;
    comparison.op = *op;
    comparison.left = std::make_unique<ValueExpr>(comparable(std::move(left)));
    comparison.right = std::make_unique<ValueExpr>(comparable(std::move(right)));
    return comparison;
  }

  LogicalExpr parenthesised() {
    const Nesting nesting(*this);
    ++pos_;  // '('
    skip_blank();
    LogicalExpr inner = logical_or();
    skip_blank();
    if (at_end()) fail("unclosed '(': expected ')'");
    expect(')', "')'");
    return inner;
  }

  std::optional<CompareOp> comparison_operator() {
    const std::string_view two = s_.substr(pos_, 2);
    const auto take = [&](std::size_t n, CompareOp op) {
      pos_ += n;
      return std::optional<CompareOp>(op);
    };
    if (two == "==") return take(2, CompareOp::eq);
    if (two == "!=") return take(2, CompareOp::ne);
    if (two == "<=") return take(2, CompareOp::le);
    if (two == ">=") return take(2, CompareOp::ge);
    if (next_is('<')) return take(1, CompareOp::lt);
    if (next_is('>')) return take(1, CompareOp::gt);
    return std::nullopt;
  }

  // A test-expr: a query (does it select anything?) or a function of LogicalType.
  LogicalExpr test(Operand operand) {
    LogicalExpr test;
    switch (operand.expr.kind) {
      case ValueExpr::Kind::literal:
        fail_at(operand.at, "a literal alone is not a test: compare it with something");
      case ValueExpr::Kind::query:
        test.kind = LogicalExpr::Kind::exists;
        test.query = std::move(operand.expr.query);
        return test;
      case ValueExpr::Kind::function:
        if (returns_value(operand.expr.call->function))
          fail_at(operand.at, std::string(function_name(operand.expr.call->function)) +
                                  "() gives a value, not true or false: compare it with something");
        test.kind = LogicalExpr::Kind::function_test;
        test.call = std::move(operand.expr.call);
        return test;
    }
    return test;
  }

  // A comparable: a literal, a singular query, or a function of ValueType.
  ValueExpr comparable(Operand operand) {
    if (operand.expr.kind == ValueExpr::Kind::query && !operand.expr.query->singular())
      fail_at(operand.at, "only a singular query (names and indexes, no wildcard, slice, filter or '..') can be compared");
    if (operand.expr.kind == ValueExpr::Kind::function && !returns_value(operand.expr.call->function))
      fail_at(operand.at, std::string(function_name(operand.expr.call->function)) + "() gives true or false, which cannot be compared");
    return std::move(operand.expr);
  }

  // A literal, a query (`@` or `$`), or a function call.
  Operand operand() {
    Operand operand;
    operand.at = pos_;
    ValueExpr& expr = operand.expr;
    if (at_end()) fail("expected a query, a literal or a function in the filter");
    const char c = s_[pos_];
    if (c == '@' || c == '$') {
      ++pos_;
      expr.kind = ValueExpr::Kind::query;
      expr.query = std::make_unique<Query>();
      expr.query->absolute = c == '$';
      segments(expr.query->segments);
    } else if (c == '\'' || c == '"') {
      const std::string text = string_literal(c);
      expr.literal.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), out_.literals);
    } else if (c == '-' || is_digit(c)) {
      number(expr.literal);
    } else if (is_lower(c)) {
      const std::size_t start = pos_;
      while (!at_end() && (is_lower(s_[pos_]) || is_digit(s_[pos_]) || s_[pos_] == '_')) ++pos_;
      const std::string_view name = s_.substr(start, pos_ - start);
      if (next_is('(')) {
        expr.kind = ValueExpr::Kind::function;
        expr.call = function(name, start);
      } else if (name == "true" || name == "false") {
        expr.literal.SetBool(name == "true");
      } else if (name == "null") {
        expr.literal.SetNull();
      } else {
        fail_at(start, "unknown word '" + std::string(name) + "': expected true, false, null or a function call");
      }
    } else {
      fail("expected a query ('@' or '$'), a literal, a function or '(' in the filter");
    }
    return operand;
  }

  // number = (int / "-0") [ frac ] [ exp ]
  void number(rapidjson::Value& out) {
    const std::size_t start = pos_;
    if (next_is('-')) ++pos_;
    if (at_end() || !is_digit(s_[pos_])) fail("expected a digit");
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1])) fail("a number has no leading zeros");
    while (!at_end() && is_digit(s_[pos_])) ++pos_;
    bool integral = true;
    if (next_is('.')) {
      ++pos_;
      if (at_end() || !is_digit(s_[pos_])) fail("expected a digit after '.'");
      while (!at_end() && is_digit(s_[pos_])) ++pos_;
      integral = false;
    }
    if (next_is('e') || next_is('E')) {
      ++pos_;
      if (next_is('+') || next_is('-')) ++pos_;
      if (at_end() || !is_digit(s_[pos_])) fail("expected a digit in the exponent");
      while (!at_end() && is_digit(s_[pos_])) ++pos_;
      integral = false;
    }
    const std::string text(s_.substr(start, pos_ - start));
    if (integral && text.size() <= 17) {
      out.SetInt64(std::strtoll(text.c_str(), nullptr, 10));
    } else {
      out.SetDouble(std::strtod(text.c_str(), nullptr));
    }
  }

  std::unique_ptr<FunctionCall> function(std::string_view name, std::size_t at) {
    const Nesting nesting(*this);
    auto call = std::make_unique<FunctionCall>();
    if (name == "length")
      call->function = Function::length;
    else if (name == "count")
      call->function = Function::count;
    else if (name == "match")
      call->function = Function::match;
    else if (name == "search")
      call->function = Function::search;
    else if (name == "value")
      call->function = Function::value;
    else
      fail_at(at, "unknown function '" + std::string(name) + "' (JSONPath has length, count, match, search and value)");
    ++pos_;  // '('
    std::vector<Operand> arguments;
    skip_blank();
    if (!next_is(')')) {
      while (true) {
        arguments.push_back(operand());
        skip_blank();
        if (next_is(',')) {
          ++pos_;
          skip_blank();
          continue;
        }
        if (next_is(')')) break;
        if (at_end()) fail("unclosed '(' of " + std::string(name) + "(): expected ')'");
        fail(std::string(name) + "() takes queries, literals or function calls as arguments, separated by ','");
      }
    }
    const std::size_t wanted = call->function == Function::match || call->function == Function::search ? 2 : 1;
    if (arguments.size() != wanted)
      fail(std::string(name) + "() takes " + std::to_string(wanted) + (wanted == 1 ? " argument" : " arguments") + ", found " +
           std::to_string(arguments.size()));
    ++pos_;  // ')'
    if (call->function == Function::count || call->function == Function::value) {
      Operand& argument = arguments[0];
      if (argument.expr.kind != ValueExpr::Kind::query)
        fail_at(argument.at, std::string(name) + "() takes a query (its nodes), not a literal or a function's result");
      call->nodes = std::move(argument.expr.query);
      return call;
    }
    for (Operand& argument : arguments) {
      if (argument.expr.kind == ValueExpr::Kind::query && !argument.expr.query->singular())
        fail_at(argument.at, std::string(name) + "() takes one value: a singular query (names and indexes only), a literal or a function's value");
      if (argument.expr.kind == ValueExpr::Kind::function && !returns_value(argument.expr.call->function))
        fail_at(argument.at, std::string(name) + "() takes a value, and " + function_name(argument.expr.call->function) +
                                 "() gives true or false");
      call->values.push_back(std::move(argument.expr));
    }
    if (call->function != Function::length && call->values[1].kind == ValueExpr::Kind::literal) {
      const rapidjson::Value& pattern = call->values[1].literal;
      if (pattern.IsString()) call->literal_pattern = IRegexp::compile(std::string_view(pattern.GetString(), pattern.GetStringLength()));
    }
    return call;
  }

  std::string_view s_;
  ParsedQuery& out_;
  std::size_t pos_ = 0;
  int nesting_ = 0;
};

}  // namespace

bool Query::singular() const {
  for (const Segment& segment : segments) {
    if (segment.descendant || segment.selectors.size() != 1) return false;
    const Selector::Kind kind = segment.selectors[0].kind;
    if (kind != Selector::Kind::name && kind != Selector::Kind::index) return false;
  }
  return true;
}

std::shared_ptr<const ParsedQuery> parse(std::string_view text) {
  auto parsed = std::make_shared<ParsedQuery>();
  Parser(text, *parsed).run();
  return parsed;
}

}  // namespace weft::jsonpath
