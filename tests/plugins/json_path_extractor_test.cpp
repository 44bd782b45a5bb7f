#include "weft/workflow/executor.hpp"

#include "workflow_fixture.hpp"

#include <catch2/catch.hpp>

using weft::test::load_yaml;
using weft::test::set_payload;

namespace {

struct Extracted {
  weft::Outcome outcome;
  std::string port;
  std::string properties;
};

Extracted extract(const std::string& with, const std::string& payload, const std::string& on = "") {
  const auto loaded = load_yaml("id: t\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                "  - id: extract\n    plugin: json_path_extractor\n    with: " + with + "\n" + on);
  for (const auto& e : loaded.errors) FAIL(e);
  REQUIRE(loaded.workflow);
  weft::EventDocument event;
  set_payload(event, payload);
  const auto result = weft::run_workflow(*loaded.workflow, event);
  REQUIRE(result.trace.size() >= 2);
  return {result.outcome, loaded.workflow->nodes[1].port_name(result.trace[1].port), weft::to_json(event.root()["properties"])};
}

}  // namespace

TEST_CASE("json_path_extractor copies the id into properties.profile_key") {
  auto r = extract("{ path: $.payload.event.user }", R"({"event":{"user":" U123ABC "}})");
  CHECK(r.port == "out");
  CHECK(r.properties == R"({"profile_key":"U123ABC"})");
  r = extract("{ path: $.payload.sender.id }", R"({"sender":{"id":583231}})");
  CHECK(r.properties == R"({"profile_key":"583231"})");
}

TEST_CASE("json_path_extractor writes into any property name") {
  auto r = extract(R"({ path: "$.payload['user id']", into: "it's" })", R"({"user id":"u-1"})");
  CHECK(r.properties == R"({"it's":"u-1"})");
}

TEST_CASE("json_path_extractor leaves on missing for absent, non-id and blocked values") {
  for (const char* payload : {R"({})", R"({"u":null})", R"({"u":{"x":1}})", R"({"u":1.5})", R"({"u":"anonymous"})", R"({"u":"  "})",
                              R"({"u":-1})"}) {
    INFO(payload);
    auto r = extract("{ path: $.payload.u }", payload);
    CHECK(r.port == "missing");
    CHECK(r.properties == "{}");
    CHECK(r.outcome == weft::Outcome::processed);  // an unrouted `missing` continues
  }
  CHECK(extract("{ path: $.payload.u }", R"({"u":"x"})", "    on: { missing: reject }\n").outcome == weft::Outcome::processed);
  CHECK(extract("{ path: $.payload.u }", R"({})", "    on: { missing: reject }\n").outcome == weft::Outcome::rejected);
}

TEST_CASE("json_path_extractor's blocked list replaces the default") {
  const std::string with = R"({ path: $.payload.u, blocked: ["bot-.*", "system"] })";
  CHECK(extract(with, R"({"u":"bot-7"})").port == "missing");
  CHECK(extract(with, R"({"u":"system"})").port == "missing");
  CHECK(extract(with, R"({"u":"anonymous"})").properties == R"({"profile_key":"anonymous"})");
}

TEST_CASE("json_path_extractor's allowed list keeps only ids of one shape") {
  const std::string with = R"({ path: $.payload.u, allowed: ["cus_.*"] })";
  CHECK(extract(with, R"({"u":"cus_9s6XKz"})").properties == R"({"profile_key":"cus_9s6XKz"})");
  CHECK(extract(with, R"({"u":"in_1MtHbE"})").port == "missing");
  CHECK(extract(with, R"({"u":"xcus_1"})").port == "missing");  // the whole id must match
  CHECK(extract(with, R"({"u":"null"})").port == "missing");    // the default blocklist still applies
  CHECK(extract(with, R"({"u":")" + std::string(1 << 20, 'x') + R"("})").port == "missing");
}

TEST_CASE("json_path_extractor transforms after the blocked check") {
  CHECK(extract("{ path: $.payload.u, transform: lower }", R"({"u":"Jane@Example.COM"})").properties ==
        R"({"profile_key":"jane@example.com"})");
  CHECK(extract("{ path: $.payload.u, transform: sha256 }", R"({"u":"U123"})").properties ==
        R"({"profile_key":"64a7152bdd91f6f345d04a789b802724d369ead611ed2f7252c27507a74b8fd1"})");
  // blocked is matched before the transform: "NULL" is blocked although its hash would not be
  CHECK(extract("{ path: $.payload.u, transform: sha256 }", R"({"u":"NULL"})").port == "missing");
}

TEST_CASE("json_path_extractor takes a nodelist's first node, and a query over the bounds fails the node with the reason") {
  auto r = extract("{ path: \"$.payload.users[?@.active == true].id\" }", R"({"users":[{"id":"u1","active":false},{"id":"u2","active":true},{"id":"u3","active":true}]})");
  CHECK(r.port == "out");
  CHECK(r.properties == R"({"profile_key":"u2"})");

  // 60 nested levels of 40 elements: $..*..*..*..* counts each node once per chain of four
  // ancestors, far past the bounds. The node fails; the value is never taken for missing.
  std::string deep;
  for (int i = 0; i < 60; ++i) deep += "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,";
  deep += "0";
  for (int i = 0; i < 60; ++i) deep += "]";
  const auto loaded = load_yaml("id: t\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                "  - id: extract\n    plugin: json_path_extractor\n    with: { path: \"$..*..*..*..*\" }\n");
  REQUIRE(loaded.workflow);
  weft::EventDocument event;
  set_payload(event, "{\"d\":" + deep + "}");
  const auto result = weft::run_workflow(*loaded.workflow, event);
  CHECK(result.outcome == weft::Outcome::failed);
  INFO(result.error);
  CHECK(result.error.find("weft could not read $..*..*..*..*: the query ") != std::string::npos);
  CHECK(result.error.find(" nodes of this document") != std::string::npos);
}
