#include "weft/event/id_rules.hpp"
#include "weft/event/json.hpp"

#include <catch2/catch.hpp>

namespace {

// The id the default rules (or `rules`) make of a JSON value, or "<missing>".
std::string id_of(const std::string& json, const weft::IdRules& rules = weft::IdRules()) {
  rapidjson::Document doc;
  rapidjson::Value value;
  REQUIRE(weft::parse_json(json, value, doc.GetAllocator(), 64).ok);
  std::string scratch;
  auto id = rules.read(&value, scratch);
  return id ? std::string(*id) : "<missing>";
}

}  // namespace

TEST_CASE("selected values become id strings as SPEC 4 says") {
  CHECK(id_of(R"("U123ABC")") == "U123ABC");
  CHECK(id_of("12345") == "12345");
  CHECK(id_of("-42") == "-42");
  CHECK(id_of("18446744073709551615") == "18446744073709551615");
  CHECK(id_of("true") == "true");
  CHECK(id_of("false") == "false");
  CHECK(id_of("null") == "<missing>");
  CHECK(id_of("1.5") == "<missing>");
  CHECK(id_of("2.0") == "<missing>");
  CHECK(id_of(R"({"a":1})") == "<missing>");
  CHECK(id_of("[1]") == "<missing>");
  std::string scratch;
  CHECK_FALSE(weft::IdRules().read(nullptr, scratch));
}

TEST_CASE("ids are trimmed") {
  CHECK(id_of(R"("  U1 \t\n")") == "U1");
  CHECK(weft::trim(" \r\n x y \f") == "x y");
}

TEST_CASE("the default blocklist makes placeholder values missing, ignoring case") {
  for (const char* blocked : {R"("")", R"("   ")", R"("null")", R"("NULL")", R"("undefined")", R"("Undefined")",
                              R"("anonymous")", R"("ANONYMOUS")", R"("0")", R"(" -1 ")", "0", "-1"}) {
    INFO(blocked);
    CHECK(id_of(blocked) == "<missing>");
  }
  CHECK(id_of(R"("nullable")") == "nullable");
  CHECK(id_of(R"("00")") == "00");
  CHECK(id_of("-2") == "-2");
}

TEST_CASE("a blocked list replaces the default and matches the whole trimmed value") {
  const weft::IdRules rules({"test-.*", "guest"});
  CHECK(id_of(R"("test-123")", rules) == "<missing>");
  CHECK(id_of(R"(" guest ")", rules) == "<missing>");
  CHECK(id_of(R"("a-test-123")", rules) == "a-test-123");  // whole value, not a substring
  CHECK(id_of(R"("guests")", rules) == "guests");
  CHECK(id_of(R"("null")", rules) == "null");              // the default list no longer applies
  CHECK(id_of(R"("0")", rules) == "0");
  CHECK(id_of("0", weft::IdRules(std::vector<std::string>{})) == "0");
}

TEST_CASE("a blocked pattern that does not compile is refused by name") {
  CHECK_THROWS_WITH(weft::IdRules({"ok", "(unclosed"}),
                    Catch::Matchers::StartsWith("'(unclosed' is not a valid regular expression"));
}

TEST_CASE("patterns are RE2: lookaround and backreferences are refused with the reason and what to do instead") {
  CHECK_THROWS_WITH(weft::IdRules({"(?!cus_).*"}), Catch::Matchers::Contains("no lookahead or lookbehind") &&
                                                        Catch::Matchers::Contains("`allowed:`"));
  CHECK_THROWS_WITH(weft::IdRules({"(a)\\1"}), Catch::Matchers::Contains("no backreferences"));
  CHECK(weft::regex_problem("cus_.*").empty());
  CHECK(weft::regex_problem("[").find("missing ]") != std::string::npos);
}

TEST_CASE("a 1 MiB id against a blocklist is matched in one pass, without recursion") {
  // std::regex recursed once per character here and overflowed the stack (issue 14).
  const weft::IdRules rules({".*@users\\.noreply\\.github\\.com", ""});
  const std::string huge(1 << 20, 'x');
  CHECK_FALSE(rules.blocked(huge));
  CHECK(rules.blocked(huge + "@users.noreply.github.com"));
  CHECK_FALSE(rules.blocked(huge + "@users.noreply.github.com.evil"));  // the whole value must match
}
