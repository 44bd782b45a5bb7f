#include "weft/event/json.hpp"

#include <catch2/catch.hpp>

namespace {

weft::JsonParseResult parse(const std::string& text, std::size_t depth = 64) {
  rapidjson::Document doc;
  rapidjson::Value out;
  return weft::parse_json(text, out, doc.GetAllocator(), depth);
}

}  // namespace

TEST_CASE("valid JSON parses and round-trips") {
  rapidjson::Document doc;
  rapidjson::Value out;
  REQUIRE(weft::parse_json(R"({"a": [1, 2.5, "x", true, null]})", out, doc.GetAllocator(), 64).ok);
  CHECK(weft::to_json(out) == R"({"a":[1,2.5,"x",true,null]})");
}

TEST_CASE("malformed JSON is refused with the reason and byte offset") {
  const auto result = parse(R"({"a": )");
  CHECK_FALSE(result.ok);
  CHECK(result.message == "Invalid value. at byte 6");
  CHECK_FALSE(parse("").ok);
  CHECK_FALSE(parse("{} x").ok);
}

TEST_CASE("invalid UTF-8 is refused") {
  const auto result = parse("{\"a\": \"\xff\xfe\"}");
  CHECK_FALSE(result.ok);
  CHECK(result.message.find("Invalid encoding") != std::string::npos);
}

TEST_CASE("nesting past the limit is refused without exhausting the stack") {
  CHECK(parse(std::string(64, '[') + std::string(64, ']')).ok);
  const auto deep = parse(std::string(65, '[') + std::string(65, ']'));
  CHECK_FALSE(deep.ok);
  CHECK(deep.message == "JSON nested deeper than 64 levels");
  // far deeper than any stack could recurse
  CHECK_FALSE(parse(std::string(1000000, '[')).ok);
}
