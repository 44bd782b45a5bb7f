// I-Regexp (RFC 9485) on RE2: what the grammar accepts, what it refuses, and what the
// translation matches.
#include "weft/event/iregexp.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

bool matches(const std::string& pattern, const std::string& text) {
  const auto re = weft::IRegexp::compile(pattern);
  REQUIRE(re);
  return re->matches_whole(text);
}

}  // namespace

TEST_CASE("patterns outside RFC 9485's grammar are not I-Regexps") {
  for (const char* pattern : {"\\d", "\\w", "\\s", "(?:a)", "(?=a)", "a*?", "a++", "\\1", "[]", "[^]", "[a-]b]", "a{1", "a{,2}",
                              "\\p{IsBasicLatin}", "\\p{Lx}", "[z-a]", "a)", "(a", "\\", "[a-c-e]", "\\b"}) {
    INFO(pattern);
    CHECK_FALSE(weft::iregexp_to_re2(pattern).has_value());
    CHECK(weft::IRegexp::compile(pattern) == nullptr);
  }
}

TEST_CASE("I-Regexps translate to RE2 and match as RFC 9485 says") {
  CHECK(matches("a.c", "abc"));
  CHECK(matches(".", "\xE2\x80\xA8"));  // U+2028: '.' is [^\n\r]
  CHECK_FALSE(matches(".", "\n"));
  CHECK_FALSE(matches(".", "\r"));
  CHECK(matches("a\\.c", "a.c"));
  CHECK_FALSE(matches("a\\.c", "abc"));
  CHECK(matches("[^a]", "\n"));  // a negated class takes line ends
  CHECK(matches("[-a]", "-"));
  CHECK(matches("[a-]", "-"));
  CHECK(matches("[\\]\\-]+", "]-]"));
  CHECK(matches("\\p{Lu}\\P{Lu}", "Ab"));
  CHECK_FALSE(matches("\\p{Lu}", "b"));
  CHECK(matches("[\\p{Nd}x]{2,3}", "1x"));
  CHECK(matches("(ab|cd){2}", "abcd"));
  CHECK(matches("a{2,}", "aaaa"));
  CHECK(matches("\xC3\xB1+", "\xC3\xB1\xC3\xB1"));  // ñ
  CHECK(matches("^ab$", "ab"));                      // anchors, as the compliance suite reads them
  const auto search = weft::IRegexp::compile("b$");
  REQUIRE(search);
  CHECK(search->found_in("ab"));
  CHECK_FALSE(search->found_in("ba"));
}

TEST_CASE("nested quantifiers match in linear time on RE2") {
  const auto re = weft::IRegexp::compile("(a*)*b");
  REQUIRE(re);
  CHECK_FALSE(re->matches_whole(std::string(100000, 'a')));  // a backtracking engine takes 2^100000 steps
}
