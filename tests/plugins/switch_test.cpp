// switch (SPEC 15): every operator, the first match winning, default, routes to its declared
// ports, and each validation error at the value's file position.
#include "weft/workflow/executor.hpp"

#include "workflow_fixture.hpp"

#include <catch2/catch.hpp>

using weft::test::load_yaml;
using weft::test::set_payload;

namespace {

std::string flow(const std::string& with, const std::string& on = "") {
  return "id: t\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
         "  - id: kind\n    plugin: switch\n    with:\n" +
         with + on + "  - id: after\n    plugin: json_path_extractor\n    with: { path: $.payload.u }\n";
}

// The port the switch left on for `payload`.
std::string port_for(const std::shared_ptr<const weft::Workflow>& workflow, const std::string& payload) {
  weft::EventDocument event;
  set_payload(event, payload);
  const auto result = weft::run_workflow(*workflow, event);
  REQUIRE(result.trace.size() >= 2);
  return workflow->nodes[1].port_name(result.trace[1].port);
}

std::shared_ptr<const weft::Workflow> load_ok(const std::string& yaml) {
  const auto loaded = load_yaml(yaml);
  for (const auto& e : loaded.errors) FAIL(e);
  REQUIRE(loaded.workflow);
  return loaded.workflow;
}

std::vector<std::string> errors_of(const std::string& yaml) {
  const auto loaded = load_yaml(yaml);
  CHECK_FALSE(loaded.workflow);
  return loaded.errors;
}

}  // namespace

TEST_CASE("switch: every operator of SPEC 15, the first matching case wins, else default") {
  const auto w = load_ok(flow("      value: $.payload.v\n"
                              "      cases:\n"
                              "        - { port: customer, equals: customer.created }\n"
                              "        - { port: invoice, matches: 'invoice\\..*' }\n"
                              "        - { port: bot, in: [Bot, Organization] }\n"
                              "        - { port: answer, equals: 42 }\n"
                              "        - { port: large, greater_than: 1000 }\n"
                              "        - { port: negative, less_than: -0.5 }\n"
                              "        - { port: yes, equals: true }\n"
                              "        - { port: tagged, exists: true }\n"));
  CHECK(port_for(w, R"({"v":"customer.created"})") == "customer");
  CHECK(port_for(w, R"({"v":"invoice.paid"})") == "invoice");
  CHECK(port_for(w, R"({"v":"xinvoice.paid"})") == "tagged");  // a regex matches the whole value
  CHECK(port_for(w, R"({"v":"Organization"})") == "bot");
  CHECK(port_for(w, R"({"v":42})") == "answer");    // equals: 42 matches the integer...
  CHECK(port_for(w, R"({"v":"42"})") == "answer");  // ...and the string
  CHECK(port_for(w, R"({"v":42.0})") == "answer");  // and the number
  CHECK(port_for(w, R"({"v":1000.5})") == "large");
  CHECK(port_for(w, R"({"v":1000})") == "tagged");     // not greater than itself
  CHECK(port_for(w, R"({"v":"5000"})") == "tagged");   // a string is never a number
  CHECK(port_for(w, R"({"v":-3})") == "negative");
  CHECK(port_for(w, R"({"v":true})") == "yes");
  CHECK(port_for(w, R"({"v":"true"})") == "yes");
  CHECK(port_for(w, R"({"v":null})") == "tagged");  // the path selects null: it exists
  CHECK(port_for(w, R"({"v":{"a":1}})") == "tagged");
  CHECK(port_for(w, R"({})") == "default");
}

TEST_CASE("switch: exists false, a literal value, and the first case winning over later ones") {
  auto w = load_ok(flow("      value: $.payload.sender.type\n"
                        "      cases:\n"
                        "        - { port: anonymous, exists: false }\n"
                        "        - { port: first, in: [User, Bot] }\n"
                        "        - { port: second, equals: User }\n"));
  CHECK(port_for(w, R"({})") == "anonymous");
  CHECK(port_for(w, R"({"sender":{"type":"User"}})") == "first");
  CHECK(port_for(w, R"({"sender":{"type":"user"}})") == "default");  // compared as written
  w = load_ok(flow("      value: always\n      cases:\n        - { port: lit, equals: always }\n"));
  CHECK(port_for(w, R"({})") == "lit");
}

TEST_CASE("switch: its ports are routed like any node's: unrouted ones continue with the next node") {
  const auto w = load_ok(flow("      value: $.payload.type\n"
                              "      cases:\n"
                              "        - { port: bot, equals: Bot }\n"
                              "        - { port: noise, equals: ping }\n"
                              "        - { port: keep, equals: User }\n",
                              "    on: { bot: drop, noise: reject, default: stop }\n"));
  const auto run = [&](const std::string& payload) {
    weft::EventDocument event;
    set_payload(event, payload);
    return weft::run_workflow(*w, event);
  };
  CHECK(run(R"({"type":"Bot"})").outcome == weft::Outcome::dropped);
  CHECK(run(R"({"type":"ping"})").outcome == weft::Outcome::rejected);
  auto stopped = run(R"({"type":"other","u":"x"})");
  CHECK(stopped.outcome == weft::Outcome::processed);
  CHECK(stopped.trace.size() == 2);  // default: stop
  auto kept = run(R"({"type":"User","u":"x"})");
  CHECK(kept.outcome == weft::Outcome::processed);
  CHECK(kept.trace.size() == 3);  // keep is unrouted: on to the next node
}

TEST_CASE("switch: a route to a port no case declares is an error at the route, with a suggestion") {
  const auto errors = errors_of(flow("      value: $.payload.type\n"
                                     "      cases:\n"
                                     "        - { port: customer, equals: c }\n",
                                     "    on: { customers: stop }\n"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "11:11: unknown port 'customers' in node 'kind': this switch node has customer, default, error (did you mean 'customer'?)");
}

TEST_CASE("switch: each validation error of SPEC 15 names the case's line and column") {
  const std::string head = "      value: $.payload.type\n      cases:\n";
  SECTION("a case with no operator") {
    const auto errors = errors_of(flow(head + "        - { port: a, equals: x }\n        - { port: b }\n"));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == "11:11: node 'kind' (switch): 'cases[1]': a case needs exactly one of equals, matches, in, greater_than, "
                       "less_than, exists; found none");
  }
  SECTION("a case with two operators") {
    const auto errors = errors_of(flow(head + "        - { port: a, equals: x, matches: 'y.*' }\n"));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == "10:11: node 'kind' (switch): 'cases[0]': a case needs exactly one of equals, matches, in, greater_than, "
                       "less_than, exists; found equals and matches");
  }
  SECTION("a port named twice") {
    const auto errors = errors_of(flow(head + "        - { port: a, equals: x }\n        - { port: a, equals: y }\n"));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == "11:19: node 'kind' (switch): 'cases[1].port': port 'a' is named twice (case #1 has it): each case names its own port");
  }
  SECTION("a case named default or error, or with an invalid name") {
    CHECK(errors_of(flow(head + "        - { port: default, equals: x }\n")).at(0) ==
          "10:19: node 'kind' (switch): 'cases[0].port': 'default' is the port of events no case matches; give this case another name");
    CHECK(errors_of(flow(head + "        - { port: Big-One, equals: x }\n")).at(0) ==
          "10:19: node 'kind' (switch): 'cases[0].port': invalid port name 'Big-One': expected [a-z][a-z0-9_]*, at most 64 characters");
  }
  SECTION("a bad regex") {
    const auto errors = errors_of(flow(head + "        - { port: a, matches: '(unclosed' }\n"));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].rfind("10:31: node 'kind' (switch): 'cases[0].matches': '(unclosed' is not a valid regular expression: ", 0) == 0);
  }
  SECTION("an unknown key in a case, a number that is not one, no cases") {
    CHECK(errors_of(flow(head + "        - { port: a, equal: x }\n")).at(0) ==
          "10:22: node 'kind' (switch): unknown key 'cases[0].equal' (did you mean 'cases[0].equals'?)");
    CHECK(errors_of(flow(head + "        - { port: a, greater_than: lots }\n")).at(0) ==
          "10:36: node 'kind' (switch): 'cases[0].greater_than': expected a number, found 'lots'");
    CHECK(errors_of(flow("      value: $.payload.type\n      cases: []\n")).at(0) ==
          "9:14: node 'kind' (switch): 'cases': a switch needs at least one case");
    CHECK(errors_of(flow("      value: $.payload.type\n")).at(0) ==
          "8:7: node 'kind' (switch): missing required key 'cases' (one port each, in order: the first case that matches wins; else `default`)");
  }
}

TEST_CASE("switch: exists tests the nodelist, the other operators its first node") {
  const auto w = load_ok(flow("      value: '$.payload.items[?@.kind == \"vip\"].name'\n"
                              "      cases:\n"
                              "        - { port: jane, equals: Jane }\n"
                              "        - { port: some, exists: true }\n"));
  CHECK(port_for(w, R"({"items":[{"kind":"vip","name":"Jane"},{"kind":"vip","name":"Joe"}]})") == "jane");  // the first node
  CHECK(port_for(w, R"({"items":[{"kind":"vip","name":"Joe"},{"kind":"vip","name":"Jane"}]})") == "some");
  CHECK(port_for(w, R"({"items":[{"kind":"std","name":"Jane"}]})") == "default");  // an empty nodelist
}
