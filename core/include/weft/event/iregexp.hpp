// I-Regexp (RFC 9485), the regular expressions of JSONPath's match() and search() (SPEC 4):
// a pattern is checked against RFC 9485's grammar and translated to RE2, whose matching is
// linear in the input. A pattern that is not an I-Regexp compiles to nothing: RFC 9535 has
// match() and search() return false then, not fail.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace weft {

// The RE2 pattern that matches what the I-Regexp `pattern` matches, or nullopt when `pattern`
// is not an I-Regexp. `.` becomes [^\n\r] (RFC 9485 5.3); `^` and `$` anchor at the start and the end of the
// string, as the JSONPath Compliance Test Suite reads them.
std::optional<std::string> iregexp_to_re2(std::string_view pattern);

class IRegexp {
public:
  // nullptr when `pattern` is not an I-Regexp, or RE2 refuses its translation (too large).
  static std::unique_ptr<IRegexp> compile(std::string_view pattern);
  ~IRegexp();

  bool matches_whole(std::string_view text) const;  // match(): the whole string
  bool found_in(std::string_view text) const;       // search(): some substring

private:
  explicit IRegexp(std::unique_ptr<re2::RE2> re);
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace weft
