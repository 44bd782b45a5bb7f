// The JSONPath Compliance Test Suite (RFC 9535; tests/data/jsonpath-cts, BSD-2) run against
// weft's JSONPath. Today weft evaluates the singular subset (SPEC 4 before issue 35): this test
// holds what it does (every invalid query refused with an offset inside the query; every query
// it accepts gives the suite's nodelist) and ratchets how many cases pass, so that issue 35's
// work can only raise it, to all 703.
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
      if (const rapidjson::Value* node = path.select(test["document"])) nodes.push_back(node);
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
        ++refused_valid;  // a query of the RFC weft does not evaluate yet (issue 35)
      }
    }
  }
  WARN("JSONPath compliance suite: " << passed << " of 703 cases pass (" << invalid << " invalid queries refused, "
                                     << refused_valid << " valid queries not yet evaluated)");
  CHECK(invalid == 247);
  CHECK(passed >= 326);  // the ratchet: 247 refusals and 79 evaluations today (issue 35 takes it to 703)
  CHECK(passed + refused_valid == 703);
}
