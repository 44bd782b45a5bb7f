#include "weft/event/jsonpath.hpp"

#include "weft/event/json.hpp"

#include <cstddef>

namespace weft {
namespace {

// Largest index RFC 9535 allows (I-JSON exact integers).
constexpr std::int64_t max_index = (std::int64_t{1} << 53) - 1;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// name-first: ALPHA / "_" / any non-ASCII (UTF-8 lead or continuation byte).
bool is_name_first(char c) { return is_alpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::vector<PathSegment> run() {
    std::vector<PathSegment> segments;
    if (s_.empty()) fail("a JSONPath starts with '$', found an empty string");
    if (s_[0] != '$') fail("a JSONPath starts with '$'");
    pos_ = 1;
    while (true) {
      const std::size_t before = pos_;
      skip_blank();
      if (pos_ == s_.size()) {
        if (pos_ != before) {
          pos_ = before;
          fail("blank space may only stand between segments, not at the end");
        }
        break;
      }
      const char c = s_[pos_];
      if (c == '.') {
        ++pos_;
        segments.push_back(dot_member());
      } else if (c == '[') {
        ++pos_;
        segments.push_back(bracket());
      } else {
        fail(std::string("expected '.' or '[' after a segment, found '") + c + "'");
      }
    }
    return segments;
  }

private:
  [[noreturn]] void fail(const std::string& message) const {
    throw JsonPathError(message + " at position " + std::to_string(pos_ + 1), pos_);
  }

  void skip_blank() {
    while (pos_ < s_.size() && is_blank(s_[pos_])) ++pos_;
  }

  PathSegment dot_member() {
    if (pos_ < s_.size() && s_[pos_] == '.') fail("descendant segments ('..') are not supported");
    if (pos_ < s_.size() && s_[pos_] == '*') fail("wildcard selectors ('*') are not supported");
    if (pos_ == s_.size() || !is_name_first(s_[pos_])) fail("expected a member name after '.'");
    const std::size_t start = pos_;
    while (pos_ < s_.size() && (is_name_first(s_[pos_]) || is_digit(s_[pos_]))) ++pos_;
    return PathSegment{PathSegment::Kind::name, std::string(s_.substr(start, pos_ - start)), 0};
  }

  PathSegment bracket() {
    skip_blank();
    if (pos_ == s_.size()) fail("unclosed '['");
    PathSegment segment;
    const char c = s_[pos_];
    if (c == '\'' || c == '"') {
      segment = PathSegment{PathSegment::Kind::name, string_literal(c), 0};
    } else if (c == '-' || is_digit(c)) {
      segment = PathSegment{PathSegment::Kind::index, "", integer()};
    } else if (c == '*') {
      fail("wildcard selectors ('*') are not supported");
    } else if (c == '?') {
      fail("filter selectors ('?') are not supported");
    } else if (c == ':') {
      fail("slice selectors (':') are not supported");
    } else {
      fail("expected a quoted name or an integer index inside '[]'");
    }
    skip_blank();
    if (pos_ < s_.size() && s_[pos_] == ':') fail("slice selectors (':') are not supported");
    if (pos_ < s_.size() && s_[pos_] == ',') fail("selecting several members or elements at once (',') is not supported");
    if (pos_ == s_.size() || s_[pos_] != ']') fail("expected ']'");
    ++pos_;
    return segment;
  }

  std::int64_t integer() {
    const std::size_t start = pos_;
    bool negative = false;
    if (s_[pos_] == '-') {
      negative = true;
      ++pos_;
    }
    if (pos_ == s_.size() || !is_digit(s_[pos_])) fail("expected a digit");
    if (s_[pos_] == '0' && (negative || (pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1]))))
      fail(negative ? "'-0' is not a valid index" : "an index has no leading zeros");
    std::int64_t value = 0;
    while (pos_ < s_.size() && is_digit(s_[pos_])) {
      value = value * 10 + (s_[pos_] - '0');
      if (value > max_index) {
        pos_ = start;
        fail("index out of range (at most 2^53-1)");
      }
      ++pos_;
    }
    return negative ? -value : value;
  }

  std::uint32_t hex4() {
    if (pos_ + 4 > s_.size()) fail("expected four hex digits after '\\u'");
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      value <<= 4;
      if (is_digit(c))
        value |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        value |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        value |= static_cast<std::uint32_t>(c - 'A' + 10);
      else {
        --pos_;
        fail("expected a hex digit in '\\u' escape");
      }
    }
    return value;
  }

  std::string string_literal(char quote) {
    ++pos_;
    std::string out;
    while (true) {
      if (pos_ == s_.size()) fail(std::string("unterminated string, expected ") + quote);
      const char c = s_[pos_];
      if (c == quote) {
        ++pos_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail("control characters must be escaped in a name");
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ == s_.size()) fail("unterminated escape");
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
          if (e != quote) {
            pos_ -= 2;
            fail(std::string("'\\") + e + "' is only an escape inside " + e + "-quoted names");
          }
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
          append_utf8(out, cp);
          break;
        }
        default:
          pos_ -= 2;
          fail(std::string("unknown escape '\\") + e + "'");
      }
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

template <class V>
V* select_in(V& root, const std::vector<PathSegment>& segments) {
  V* current = &root;
  for (const PathSegment& segment : segments) {
    if (segment.kind == PathSegment::Kind::name) {
      if (!current->IsObject()) return nullptr;
      auto it = find_member(*current, segment.name);
      if (it == current->MemberEnd()) return nullptr;
      current = &it->value;
    } else {
      if (!current->IsArray()) return nullptr;
      const auto size = static_cast<std::int64_t>(current->Size());
      const std::int64_t i = segment.index < 0 ? size + segment.index : segment.index;
      if (i < 0 || i >= size) return nullptr;
      current = &(*current)[static_cast<rapidjson::SizeType>(i)];
    }
  }
  return current;
}

}  // namespace

JsonPath JsonPath::parse(std::string_view text) {
  JsonPath path;
  path.segments_ = Parser(text).run();
  path.text_ = std::string(text);
  return path;
}

const rapidjson::Value* JsonPath::select(const rapidjson::Value& root) const { return select_in(root, segments_); }
rapidjson::Value* JsonPath::select(rapidjson::Value& root) const { return select_in(root, segments_); }

}  // namespace weft
