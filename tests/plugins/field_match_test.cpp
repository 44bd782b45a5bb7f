// The example plugin from docs/plugins.md (examples/plugins/field_match), run in a workflow.
#include "weft/workflow/executor.hpp"

#include "test_registry.hpp"
#include "workflow_fixture.hpp"

#include <catch2/catch.hpp>

namespace {

weft::Outcome run(const std::string& with, const std::string& payload) {
  const auto loaded = weft::test::load_yaml("id: slack\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                            "  - id: skip_bots\n    plugin: field_match\n    with: " + with + "\n"
                                            "    on: { matched: drop }\n",
                                            weft::test::test_registry());
  for (const auto& e : loaded.errors) FAIL(e);
  REQUIRE(loaded.workflow);
  weft::EventDocument event;
  weft::test::set_payload(event, payload);
  return weft::run_workflow(*loaded.workflow, event).outcome;
}

}  // namespace

TEST_CASE("field_match drops events whose field matches") {
  const std::string any = "{ path: $.payload.event.bot_id }";
  CHECK(run(any, R"({"event":{"bot_id":"B01"}})") == weft::Outcome::dropped);
  CHECK(run(any, R"({"event":{"user":"U1"}})") == weft::Outcome::processed);
  CHECK(run(any, R"({"event":{"bot_id":null}})") == weft::Outcome::processed);

  const std::string patterns = R"({ path: $.payload.event.subtype, patterns: ["bot_.*", "channel_join"] })";
  CHECK(run(patterns, R"({"event":{"subtype":"bot_message"}})") == weft::Outcome::dropped);
  CHECK(run(patterns, R"({"event":{"subtype":"channel_join"}})") == weft::Outcome::dropped);
  CHECK(run(patterns, R"({"event":{"subtype":"message_changed"}})") == weft::Outcome::processed);
  CHECK(run(patterns, R"({"event":{"subtype":7}})") == weft::Outcome::processed);
}
