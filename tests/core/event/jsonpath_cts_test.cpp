// The JSONPath Compliance Test Suite (RFC 9535; tests/data/jsonpath-cts, BSD-2) run against
// weft's JSONPath (SPEC 4): every invalid query refused with a message and an offset inside the
// query, every valid one evaluated to the suite's nodelist, in order (one of the orders the
// suite allows where a case gives several). All 703 cases.
#include "weft/event/jsonpath.hpp"

#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <fstream>
#include <iterator>
#include <string>

namespace {

rapidjson::Document load_suite() {
  std::ifstream in(std::string(WEFT_SOURCE_DIR) + "/tests/data/jsonpath-cts/cts.json", std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  rapidjson::Document suite;
  suite.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(suite.HasParseError());
  return suite;
}

// Whether `nodes` equals the expected nodelist `expected` (an array), in order.
bool same_nodelist(const std::vector<const rapidjson::Value*>& nodes, const rapidjson::Value& expected) {
  if (!expected.IsArray() || expected.Size() != nodes.size()) return false;
  for (rapidjson::SizeType i = 0; i < expected.Size(); ++i)
    if (!(*nodes[i] == expected[i])) return false;
  return true;
}

}  // namespace

TEST_CASE("JSONPath compliance suite: invalid queries are refused, accepted ones give the suite's nodelist") {
  const rapidjson::Document suite = load_suite();
  const auto& tests = suite["tests"];
  REQUIRE(tests.Size() == 703);
  int passed = 0, invalid = 0, refused_valid = 0;
  for (const auto& test : tests.GetArray()) {
    const std::string name = test["name"].GetString();
    const std::string selector(test["selector"].GetString(), test["selector"].GetStringLength());
    INFO(name << ": " << selector);
    const bool must_refuse = test.HasMember("invalid_selector") && test["invalid_selector"].GetBool();
    try {
      const weft::JsonPath path = weft::JsonPath::parse(selector);
      CHECK_FALSE(must_refuse);
      if (must_refuse) continue;
      std::vector<const rapidjson::Value*> nodes;
      path.select_all(test["document"], nodes);
      bool same = false;
      if (test.HasMember("result")) same = same_nodelist(nodes, test["result"]);
      if (test.HasMember("results"))
        for (const auto& order : test["results"].GetArray()) same = same || same_nodelist(nodes, order);
      CHECK(same);
      passed += same ? 1 : 0;
    } catch (const weft::JsonPathError& e) {
      CHECK(e.offset() <= selector.size());
      CHECK(std::string(e.what()).size() > 0);
      if (must_refuse) {
        ++invalid;
        ++passed;
      } else {
        ++refused_valid;
      }
    }
  }
  CHECK(invalid == 247);
  CHECK(refused_valid == 0);
  CHECK(passed == 703);
}
