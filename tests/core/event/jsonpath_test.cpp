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
  CHECK(parse_error("$.") == "expected a member name or '*' after '.' at position 3");
  CHECK(parse_error("$.1a") == "expected a member name or '*' after '.' at position 3");
  CHECK(parse_error("$[01]") == "an integer has no leading zeros at position 3");
  CHECK(parse_error("$[-0]") == "'-0' is not a valid integer here at position 4");
  CHECK(parse_error("$[9007199254740992]") == "integer out of range (at most 2^53-1 either way) at position 3");
  CHECK(parse_error("$['a'") == "unclosed '[': expected ']' at position 6");
  CHECK(parse_error("$['a]") == "unterminated string, expected ' at position 6");
  CHECK(parse_error(R"($['\a'])") == "unknown escape '\\a' at position 4");
  CHECK(parse_error(R"($["\'"])") == "'\\'' is only an escape inside '-quoted strings at position 4");
  CHECK(parse_error(R"($['\uD834'])") == "a high surrogate must be followed by '\\u' and a low surrogate at position 10");
  CHECK(parse_error(R"($['\uDD1E'])") == "a low surrogate without a high surrogate at position 10");
  CHECK(parse_error("$.a ") == "blank space may only stand between segments, not at the end at position 4");
  CHECK(parse_error("$a") == "expected '.' or '[' after a segment, found 'a' at position 2");
}

TEST_CASE("queries the RFC calls invalid are refused with what was wrong and where") {
  CHECK(parse_error("$[?@.a") == "unclosed '[': expected ']' at position 7");
  CHECK(parse_error("$[?length(@.a)]") == "length() gives a value, not true or false: compare it with something at position 4");
  CHECK(parse_error("$[?match(@.a, 'x') == true]") == "match() gives true or false, which cannot be compared at position 4");
  CHECK(parse_error("$[?@.* == 1]") == "only a singular query (names and indexes, no wildcard, slice, filter or '..') can be compared at position 4");
  CHECK(parse_error("$[?count(1) > 0]") == "count() takes a query (its nodes), not a literal or a function's result at position 10");
  CHECK(parse_error("$[?foo(@)]") == "unknown function 'foo' (JSONPath has length, count, match, search and value) at position 4");
  CHECK(parse_error("$[?search(@)]") == "search() takes 2 arguments, found 1 at position 12");
  CHECK(parse_error("$[?true]") == "a literal alone is not a test: compare it with something at position 4");
  CHECK(parse_error("$[?!@.a == 1]") == "expected ',' or ']' after a selector, found '=' at position 9");
  CHECK(parse_error("$[?@.a == 01]") == "a number has no leading zeros at position 11");
  CHECK(parse_error("$...a") == "expected a member name, '*' or '[' after '..' at position 4");
  std::string deep = "$";
  for (int i = 0; i < 70; ++i) deep += "[?@";
  for (int i = 0; i < 70; ++i) deep += "]";
  CHECK(parse_error(deep) == "the query nests filters, parentheses and functions more than 64 deep at position 196");
  CHECK(parse_error("$[?" + std::string(100, '(')) == "the query nests filters, parentheses and functions more than 64 deep at position 67");
}

namespace {

// Every node `path` selects in `json`, as a JSON array.
std::string nodes(const std::string& json, const std::string& path) {
  rapidjson::Document doc;
  rapidjson::Value root;
  REQUIRE(weft::parse_json(json, root, doc.GetAllocator(), 64).ok);
  std::vector<const rapidjson::Value*> selected;
  weft::JsonPath::parse(path).select_all(root, selected);
  std::string out = "[";
  for (const rapidjson::Value* node : selected) out += (out.size() > 1 ? "," : "") + weft::to_json(*node);
  return out + "]";
}

}  // namespace

TEST_CASE("real payloads: a filter on a sibling, a filter by a flag, every element's member") {
  // Clerk's user.created: the primary e-mail is the one whose id the user names.
  const std::string clerk = R"({"payload":{"data":{"primary_email_address_id":"idn_2",
    "email_addresses":[{"id":"idn_1","email_address":"old@example.com"},{"id":"idn_2","email_address":"jane@example.com"}]}}})";
  CHECK(query(clerk, "$.payload.data.email_addresses[?@.id == $.payload.data.primary_email_address_id].email_address") ==
        R"("jane@example.com")");
  // Pipedrive's person: e-mails with a primary flag, found wherever they are.
  const std::string pipedrive = R"({"payload":{"current":{"email":[{"value":"a@x.io","primary":false},{"value":"b@x.io","primary":true}]}}})";
  CHECK(nodes(pipedrive, "$..email[?@.primary == true].value") == R"(["b@x.io"])");
  // A GitHub push: every commit's author, in order, duplicates kept (the mergers drop them).
  const std::string push = R"({"payload":{"commits":[{"author":{"email":"a@x.io"}},{"author":{"email":"b@x.io"}},{"author":{"email":"a@x.io"}}]}})";
  CHECK(nodes(push, "$.payload.commits[*].author.email") == R"(["a@x.io","b@x.io","a@x.io"])");
  CHECK(query(push, "$.payload.commits[*].author.email") == R"("a@x.io")");  // one value: the first node
}

TEST_CASE("nodelists come in the RFC's order") {
  const std::string doc = R"({"a":[1,2,3,4,5],"b":{"c":{"d":1},"e":[{"d":2}]}})";
  CHECK(nodes(doc, "$.a[1:4:2]") == "[2,4]");
  CHECK(nodes(doc, "$.a[::-2]") == "[5,3,1]");
  CHECK(nodes(doc, "$.a[4,0,4]") == "[5,1,5]");
  CHECK(nodes(doc, "$..d") == "[1,2]");
  CHECK(nodes(doc, "$.a[?@ > 2 && @ != 4]") == "[3,5]");
  CHECK(nodes(doc, "$[?length(@) == 5]") == "[[1,2,3,4,5]]");
  CHECK(nodes(doc, "$.b[?count(@..d) > 0]") == R"([{"d":1},[{"d":2}]])");
  CHECK(nodes(R"(["ab","xab","b"])", "$[?search(@, 'b$')]") == R"(["ab","xab","b"])");
  CHECK(nodes(R"(["ab","xab","b"])", "$[?match(@, 'x?ab')]") == R"(["ab","xab"])");
  CHECK(nodes(R"([{"k":"a"},{"k":"b"}])", "$[?value(@.k) == 'b']") == R"([{"k":"b"}])");
}

TEST_CASE("only names and indexes make a singular query") {
  CHECK(weft::JsonPath::parse("$.a[0]['b']").singular());
  CHECK(weft::JsonPath::parse("$").singular());
  CHECK_FALSE(weft::JsonPath::parse("$.a[*]").singular());
  CHECK_FALSE(weft::JsonPath::parse("$..a").singular());
  CHECK_FALSE(weft::JsonPath::parse("$['a','b']").singular());
  CHECK(weft::JsonPath::parse("$..a").segments().empty());
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
