#include "weft/event/iregexp.hpp"

#include <re2/re2.h>

#include <cstdint>
#include <cstdio>

namespace weft {
namespace {

constexpr int max_group_depth = 64;  // deeper nesting is refused rather than recursed into

// Reads RFC 9485's grammar over code points and writes the equivalent RE2 pattern.
class Translator {
public:
  explicit Translator(std::string_view pattern) : s_(pattern) {}

  bool run(std::string& out) {
    if (!alternation(out, 0)) return false;
    return pos_ == s_.size();
  }

private:
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }

  // Decodes one UTF-8 code point; false on malformed input.
  bool next_code_point(std::uint32_t& cp) {
    const auto lead = static_cast<unsigned char>(s_[pos_]);
    int extra = 0;
    if (lead < 0x80) {
      cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      cp = lead & 0x1F;
      extra = 1;
    } else if ((lead & 0xF0) == 0xE0) {
      cp = lead & 0x0F;
      extra = 2;
    } else if ((lead & 0xF8) == 0xF0) {
      cp = lead & 0x07;
      extra = 3;
    } else {
      return false;
    }
    if (pos_ + 1 + static_cast<std::size_t>(extra) > s_.size()) return false;
    for (int i = 1; i <= extra; ++i) {
      const auto c = static_cast<unsigned char>(s_[pos_ + static_cast<std::size_t>(i)]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    pos_ += 1 + static_cast<std::size_t>(extra);
    return !(cp >= 0xD800 && cp <= 0xDFFF) && cp <= 0x10FFFF;
  }

  static void literal(std::string& out, std::uint32_t cp) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "\\x{%X}", static_cast<unsigned>(cp));
    out += buffer;
  }

  bool alternation(std::string& out, int depth) {
    if (depth > max_group_depth) return false;
    if (!branch(out, depth)) return false;
    while (!at_end() && peek() == '|') {
      ++pos_;
      out += '|';
      if (!branch(out, depth)) return false;
    }
    return true;
  }

  bool branch(std::string& out, int depth) {
    while (!at_end() && peek() != '|' && peek() != ')') {
      if (!atom(out, depth)) return false;
      if (!at_end() && !quantifier(out)) return false;
    }
    return true;
  }

  bool quantifier(std::string& out) {
    const char c = peek();
    if (c == '*' || c == '+' || c == '?') {
      out += c;
      ++pos_;
      return true;
    }
    if (c != '{') return true;
    ++pos_;
    out += '{';
    if (!digits(out)) return false;
    if (!at_end() && peek() == ',') {
      out += ',';
      ++pos_;
      if (!at_end() && peek() != '}' && !digits(out)) return false;
    }
    if (at_end() || peek() != '}') return false;
    out += '}';
    ++pos_;
    return true;
  }

  bool digits(std::string& out) {
    const std::size_t start = pos_;
    while (!at_end() && peek() >= '0' && peek() <= '9') out += s_[pos_++];
    return pos_ > start;
  }

  bool atom(std::string& out, int depth) {
    const char c = peek();
    switch (c) {
      case '(': {
        ++pos_;
        out += "(?:";
        if (!alternation(out, depth + 1)) return false;
        if (at_end() || peek() != ')') return false;
        ++pos_;
        out += ')';
        return true;
      }
      case '.':
        ++pos_;
        out += "[^\\n\\r]";
        return true;
      case '[':
        return char_class_expr(out);
      case '\\':
        return escape(out);
      case ')': case '*': case '+': case '?': case ']': case '{': case '|': case '}':
        return false;
      case '^':
      case '$':
        // RFC 9485's grammar reads these as plain characters, but the JSONPath suite (the
        // reference, SPEC 4) and the regex engines I-Regexp was drawn from read them as the
        // start and the end of the string.
        out += c;
        ++pos_;
        return true;
      default: {
        std::uint32_t cp = 0;
        if (!next_code_point(cp)) return false;
        literal(out, cp);
        return true;
      }
    }
  }

  // After a backslash: a single-character escape or \p{..} / \P{..}.
  bool escape(std::string& out) {
    ++pos_;
    if (at_end()) return false;
    const char e = s_[pos_++];
    switch (e) {
      case 'n': out += "\\n"; return true;
      case 'r': out += "\\r"; return true;
      case 't': out += "\\t"; return true;
      case '(': case ')': case '*': case '+': case '-': case '.': case '?':
      case '[': case '\\': case ']': case '^': case '{': case '|': case '}':
        literal(out, static_cast<unsigned char>(e));
        return true;
      case 'p':
      case 'P':
        return category(out, e);
      default:
        return false;
    }
  }

  bool category(std::string& out, char which) {
    if (at_end() || peek() != '{') return false;
    ++pos_;
    const std::size_t start = pos_;
    while (!at_end() && peek() != '}') ++pos_;
    if (at_end()) return false;
    const std::string_view name = s_.substr(start, pos_ - start);
    ++pos_;
    if (!known_category(name)) return false;
    out += '\\';
    out += which;
    out += '{';
    out += name;
    out += '}';
    return true;
  }

  static bool known_category(std::string_view name) {
    static constexpr std::string_view subs[] = {"L", "lmotu", "M", "cen", "N", "dlo", "P", "cdefios", "Z", "lps", "S", "ckmo", "C", "cfno"};
    if (name.empty() || name.size() > 2) return false;
    for (std::size_t i = 0; i < std::size(subs); i += 2)
      if (name[0] == subs[i][0]) return name.size() == 1 || subs[i + 1].find(name[1]) != std::string_view::npos;
    return false;
  }

  // charClassExpr = "[" [ "^" ] ( "-" / CCE1 ) *CCE1 [ "-" ] "]"
  bool char_class_expr(std::string& out) {
    ++pos_;
    out += '[';
    if (!at_end() && peek() == '^') {
      ++pos_;
      out += '^';
    }
    bool first = true;
    while (true) {
      if (at_end()) return false;
      const char c = peek();
      if (c == ']') {
        if (first) return false;  // "[]" and "[^]" are not I-Regexps
        ++pos_;
        out += ']';
        return true;
      }
      if (c == '-') {
        // Only first, or last before ']'.
        const bool last = pos_ + 1 < s_.size() && s_[pos_ + 1] == ']';
        if (!first && !last) return false;
        ++pos_;
        out += "\\-";
        first = false;
        continue;
      }
      first = false;
      if (c == '\\' && pos_ + 1 < s_.size() && (s_[pos_ + 1] == 'p' || s_[pos_ + 1] == 'P')) {
        if (!escape(out)) return false;
        continue;
      }
      std::uint32_t low = 0;
      if (!class_char(low)) return false;
      literal(out, low);
      if (!at_end() && peek() == '-' && pos_ + 1 < s_.size() && s_[pos_ + 1] != ']') {
        ++pos_;
        std::uint32_t high = 0;
        if (!class_char(high) || high < low) return false;
        out += '-';
        literal(out, high);
      }
    }
  }

  // CCchar: any code point but '-', '[', '\\', ']', or a single-character escape.
  bool class_char(std::uint32_t& cp) {
    const char c = peek();
    if (c == '[' || c == ']' || c == '-') return false;
    if (c != '\\') return next_code_point(cp);
    ++pos_;
    if (at_end()) return false;
    const char e = s_[pos_++];
    switch (e) {
      case 'n': cp = '\n'; return true;
      case 'r': cp = '\r'; return true;
      case 't': cp = '\t'; return true;
      case '(': case ')': case '*': case '+': case '-': case '.': case '?':
      case '[': case '\\': case ']': case '^': case '{': case '|': case '}':
        cp = static_cast<unsigned char>(e);
        return true;
      default:
        return false;
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> iregexp_to_re2(std::string_view pattern) {
  std::string out;
  if (!Translator(pattern).run(out)) return std::nullopt;
  return out;
}

std::unique_ptr<IRegexp> IRegexp::compile(std::string_view pattern) {
  const auto translated = iregexp_to_re2(pattern);
  if (!translated) return nullptr;
  RE2::Options options;
  options.set_log_errors(false);
  options.set_never_capture(true);
  auto re = std::make_unique<RE2>(*translated, options);
  if (!re->ok()) return nullptr;
  return std::unique_ptr<IRegexp>(new IRegexp(std::move(re)));
}

IRegexp::IRegexp(std::unique_ptr<re2::RE2> re) : re_(std::move(re)) {}
IRegexp::~IRegexp() = default;

bool IRegexp::matches_whole(std::string_view text) const {
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

bool IRegexp::found_in(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace weft
