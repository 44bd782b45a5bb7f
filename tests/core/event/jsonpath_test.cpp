#include "weft/event/json.hpp"
#include "weft/event/jsonpath.hpp"

#include <catch2/catch.hpp>

namespace {

// Selects `path` in `json` and returns the selected value as JSON text, or "<missing>".
std::string query(const std::string& json, const std::string& path) {
  rapidjson::Document doc;
  rapidjson::Value root;
  REQUIRE(weft::parse_json(json, root, doc.GetAllocator(), 64).ok);
  const rapidjson::Value* selected = weft::JsonPath::parse(path).select(root);
  return selected ? weft::to_json(*selected) : "<missing>";
}

std::string parse_error(const std::string& path) {
  try {
    weft::JsonPath::parse(path);
  } catch (const weft::JsonPathError& e) {
    return e.what();
  }
  return "<parsed>";
}

}  // namespace

TEST_CASE("RFC 9535 examples in the supported subset select what the RFC says") {
  struct Row {
    const char* json;
    const char* path;
    const char* expected;
  };
  // RFC 9535 2.3.1.3 (name selectors) and 2.3.3.3 (index selectors).
  const char* names = R"({"o": {"j j": {"k.k": 3}}, "'": {"@": 2}})";
  const char* letters = R"(["a","b"])";
  const Row rows[] = {
      {names, "$.o['j j']", R"({"k.k":3})"},
      {names, "$.o['j j']['k.k']", "3"},
      {names, R"($.o["j j"]["k.k"])", "3"},
      {names, R"($["'"]["@"])", "2"},
      {letters, "$[1]", R"("b")"},
      {letters, "$[-2]", R"("a")"},
      {letters, "$", R"(["a","b"])"},
      // blank space is allowed between segments and inside brackets
      {names, "$.o [ 'j j' ] ['k.k']", "3"},
      // RFC 9535 escapes inside quoted names
      {R"({"a\"b":1,"c'd":2,"e\\f":3,"\u000b":4,"\ud834\udd1e":5,"tab\t":6})", R"($["a\"b"])", "1"},
      {R"({"c'd":2})", R"($['c\'d'])", "2"},
      {R"({"e\\f":3})", R"($['e\\f'])", "3"},
      {R"({"\u000b":4})", R"($['\u000b'])", "4"},
      {R"({"\ud834\udd1e":5})", R"($['\uD834\uDD1E'])", "5"},
      {R"({"tab\t":6})", R"($['tab\t'])", "6"},
      {R"({"a/b":7})", R"($['a\/b'])", "7"},
      // non-ASCII member-name shorthand
      {R"({"ñandú":8})", "$.ñandú", "8"},
      {R"({"_x9":9})", "$._x9", "9"},
  };
  for (const Row& row : rows) {
    INFO(row.path);
    CHECK(query(row.json, row.path) == row.expected);
  }
}

TEST_CASE("a path that selects nothing is missing") {
  const char* doc = R"({"a":{"b":[10,20,30]},"s":"text"})";
  CHECK(query(doc, "$.a.b[2]") == "30");
  CHECK(query(doc, "$.a.b[-1]") == "30");
  CHECK(query(doc, "$.a.b[-3]") == "10");
  CHECK(query(doc, "$.a.b[3]") == "<missing>");
  CHECK(query(doc, "$.a.b[-4]") == "<missing>");
  CHECK(query(doc, "$.a.c") == "<missing>");
  CHECK(query(doc, "$.s.x") == "<missing>");      // a name on a string
  CHECK(query(doc, "$.a[0]") == "<missing>");     // an index on an object
  CHECK(query(doc, "$.a.b.length") == "<missing>");
}

TEST_CASE("invalid paths are refused with what was expected and where") {
  CHECK(parse_error("") == "a JSONPath starts with '$', found an empty string at position 1");
  CHECK(parse_error("payload.user") == "a JSONPath starts with '$' at position 1");
  CHECK(parse_error("$.") == "expected a member name after '.' at position 3");
  CHECK(parse_error("$.1a") == "expected a member name after '.' at position 3");
  CHECK(parse_error("$[01]") == "an index has no leading zeros at position 3");
  CHECK(parse_error("$[-0]") == "'-0' is not a valid index at position 4");
  CHECK(parse_error("$[9007199254740992]") == "index out of range (at most 2^53-1) at position 3");
  CHECK(parse_error("$['a'") == "expected ']' at position 6");
  CHECK(parse_error("$['a]") == "unterminated string, expected ' at position 6");
  CHECK(parse_error(R"($['\a'])") == "unknown escape '\\a' at position 4");
  CHECK(parse_error(R"($["\'"])") == "'\\'' is only an escape inside '-quoted names at position 4");
  CHECK(parse_error(R"($['\uD834'])") == "a high surrogate must be followed by '\\u' and a low surrogate at position 10");
  CHECK(parse_error(R"($['\uDD1E'])") == "a low surrogate without a high surrogate at position 10");
  CHECK(parse_error("$.a ") == "blank space may only stand between segments, not at the end at position 4");
  CHECK(parse_error("$a") == "expected '.' or '[' after a segment, found 'a' at position 2");
}

TEST_CASE("the parts of RFC 9535 outside the subset are refused by name") {
  CHECK(parse_error("$.*") == "wildcard selectors ('*') are not supported at position 3");
  CHECK(parse_error("$[*]") == "wildcard selectors ('*') are not supported at position 3");
  CHECK(parse_error("$..book") == "descendant segments ('..') are not supported at position 3");
  CHECK(parse_error("$[1:2]") == "slice selectors (':') are not supported at position 4");
  CHECK(parse_error("$[?@.a]") == "filter selectors ('?') are not supported at position 3");
  CHECK(parse_error("$['a','b']") == "selecting several members or elements at once (',') is not supported at position 6");
}

TEST_CASE("a parsed path keeps its text and segments") {
  const auto path = weft::JsonPath::parse("$.payload['user id'][-1]");
  CHECK(path.text() == "$.payload['user id'][-1]");
  REQUIRE(path.segments().size() == 3);
  CHECK(path.segments()[1].name == "user id");
  CHECK(path.segments()[2].kind == weft::PathSegment::Kind::index);
  CHECK(path.segments()[2].index == -1);
}

TEST_CASE("a member name with a NUL in it selects that member, not the one its prefix names") {
  // RapidJSON's FindMember(StringRef(p, n)) stops at the first NUL: "a\0b" found "a".
  CHECK(query(R"({"a":1,"a\u0000b":2})", R"($['a\u0000b'])") == "2");
  CHECK(query(R"({"a":1})", R"($['a\u0000b'])") == "<missing>");
}
