#include "weft/workflow/executor.hpp"
#include "weft/event/json.hpp"
#include "weft/workflow/workflow_loader.hpp"

#include "temp_dir.hpp"
#include "test_registry.hpp"

#include <catch2/catch.hpp>

using weft::Outcome;

namespace {

std::shared_ptr<const weft::Workflow> workflow(const std::string& nodes) {
  weft::test::TempDir dir;
  const auto file = dir.write("flow.yaml", "id: demo\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n" + nodes);
  std::vector<weft::Diagnostic> diagnostics;
  auto w = weft::load_workflow(file, weft::test::test_registry(), diagnostics);
  for (const auto& d : diagnostics) FAIL(d.str());
  REQUIRE(w);
  return w;
}

std::string probe(const std::string& id, const std::string& extra = "", const std::string& on = "") {
  return "  - id: " + id + "\n    plugin: probe\n    with: { mark: " + id + extra + " }\n" + (on.empty() ? "" : "    on: { " + on + " }\n");
}

// Which nodes ran, as the probes marked them.
std::string marks(const weft::EventDocument& event) { return weft::to_json(event.root()["properties"]); }

std::string ports(const weft::Workflow& w, const weft::RunResult& r) {
  std::string out;
  for (const auto& t : r.trace) out += (out.empty() ? "" : " ") + w.nodes[t.node].id + ":" + w.nodes[t.node].port_name(t.port);
  return out;
}

}  // namespace

TEST_CASE("nodes run in order and `out` continues to the next") {
  auto w = workflow(probe("a") + probe("b"));
  weft::EventDocument event;
  const auto result = weft::run_workflow(*w, event);
  CHECK(result.outcome == Outcome::processed);
  CHECK(marks(event) == R"({"a":"ran","b":"ran"})");
  CHECK(ports(*w, result) == "receive:out a:out b:out");
  CHECK(event.string("type") == "webhook");
}

TEST_CASE("a routed port jumps forward: an unrouted port continues like out") {
  auto w = workflow(probe("a", ", port: alt", "alt: c") + probe("b") + probe("c", ", port: missing") + probe("d"));
  weft::EventDocument event;
  const auto result = weft::run_workflow(*w, event);
  CHECK(result.outcome == Outcome::processed);
  CHECK(marks(event) == R"({"a":"ran","c":"ran","d":"ran"})");
  CHECK(ports(*w, result) == "receive:out a:alt c:missing d:out");
}

TEST_CASE("stop, drop and reject end the workflow with their outcome") {
  for (const auto& [target, outcome] : {std::pair{"stop", Outcome::processed}, std::pair{"drop", Outcome::dropped},
                                        std::pair{"reject", Outcome::rejected}}) {
    INFO(target);
    auto w = workflow(probe("a", ", port: missing", std::string("missing: ") + target) + probe("b"));
    weft::EventDocument event;
    const auto result = weft::run_workflow(*w, event);
    CHECK(result.outcome == outcome);
    CHECK(marks(event) == R"({"a":"ran"})");
    CHECK(result.trace.size() == 2);
  }
}

TEST_CASE("a throwing node leaves on error: unrouted, the event fails with the message") {
  auto w = workflow(probe("a") + "  - id: t\n    plugin: throwing\n" + probe("b"));
  weft::EventDocument event;
  const auto result = weft::run_workflow(*w, event);
  CHECK(result.outcome == Outcome::failed);
  CHECK(result.error == "process failed: test says so");
  CHECK(w->nodes[result.error_node].id == "t");
  CHECK(ports(*w, result) == "receive:out a:out t:error");
  CHECK(marks(event) == R"({"a":"ran"})");
}

TEST_CASE("a routed error port continues where it points") {
  auto w = workflow("  - id: t\n    plugin: throwing\n    on: { error: c }\n" + probe("b") + probe("c"));
  weft::EventDocument event;
  const auto result = weft::run_workflow(*w, event);
  CHECK(result.outcome == Outcome::processed);
  CHECK(ports(*w, result) == "receive:out t:error c:out");
  CHECK(marks(event) == R"({"c":"ran"})");
}

TEST_CASE("exceptions escaping the ABI and undeclared ports become errors, not crashes") {
  auto escaping = workflow("  - id: x\n    plugin: escaping\n    with: { in: process }\n");
  weft::EventDocument event;
  auto result = weft::run_workflow(*escaping, event);
  CHECK(result.outcome == Outcome::failed);
  CHECK(result.error == "plugin 'escaping' threw out of process (plugins must not throw across the ABI)");

  auto bad = workflow("  - id: x\n    plugin: bad_port\n");
  result = weft::run_workflow(*bad, event);
  CHECK(result.outcome == Outcome::failed);
  CHECK(result.error == "plugin 'bad_port' returned port 7, but it declares 1 port(s)");
}

TEST_CASE("the run can start after the trigger, and the trace renders as SPEC 8 JSON") {
  auto w = workflow(probe("a"));
  weft::EventDocument event;
  const auto result = weft::run_workflow(*w, event, nullptr, 1);
  REQUIRE(result.trace.size() == 1);
  REQUIRE(w->trace_shape);
  const std::string stored = weft::compact_trace(*w->trace_shape, result.trace);
  weft::TraceShapes shapes;
  const std::string json = shapes.expand(stored, [&](std::string_view key) -> std::optional<std::string> {
    if (key == w->trace_shape->key) return w->trace_shape->json;
    return std::nullopt;
  });
  CHECK(json.rfind(R"([{"node":"a","plugin":"probe","port":"out","micros":)", 0) == 0);
  CHECK(result.trace[0].micros >= 0);
}

TEST_CASE("a plugin built against ABI 1.0 loads and runs unchanged on this host") {
  const auto& registry = weft::test::test_registry();
  const auto plugin = registry.find("abi_1_0");
  REQUIRE(plugin);
  CHECK(plugin->descriptor->abi_minor == 0);
  const auto w = workflow("  - id: old\n    plugin: abi_1_0\n");
  weft::EventDocument event;
  rapidjson::Value payload;
  REQUIRE(weft::parse_json(R"({"user":" U1 "})", payload, event.allocator(), 64).ok);
  event.payload() = std::move(payload);
  const auto r = weft::run_workflow(*w, event);
  CHECK(r.outcome == Outcome::processed);
  CHECK(ports(*w, r) == "receive:out old:out");
  CHECK(marks(event) == R"({"seen":"U1"})");
}

TEST_CASE("ports per node through the C ABI (1.2): declared ports are routed, traced and checked") {
  const auto w = workflow("  - id: pick\n    plugin: declared_ports\n    with: { names: [first, second] }\n    on: { second: drop }\n");
  REQUIRE(w->nodes[1].instance->ports() == std::vector<std::string>{"first", "second"});
  const auto run = [&](const std::string& payload) {
    weft::EventDocument event;
    rapidjson::Value value;
    REQUIRE(weft::parse_json(payload, value, event.allocator(), 64).ok);
    event.payload() = std::move(value);
    return weft::run_workflow(*w, event);
  };
  auto first = run(R"({"port":0})");
  CHECK(ports(*w, first) == "receive:out pick:first");
  CHECK(first.outcome == Outcome::processed);
  CHECK(run(R"({"port":1})").outcome == Outcome::dropped);
  const auto beyond = run(R"({"port":2})");
  CHECK(beyond.outcome == Outcome::failed);
  CHECK(beyond.error == "plugin 'declared_ports' returned port 2, but it declares 2 port(s)");

  // invalid names are refused by the host; the plugin placed the error at `names`
  weft::test::TempDir dir;
  for (const auto& [names, message] : std::vector<std::pair<std::string, std::string>>{
           {"[a, a]", "the node declares port 'a' twice"},
           {"[ok, error]", "the node declares port 'error', which every node has implicitly"},
           {"[Bad]", "the node port #1 'Bad' has an invalid name (expected [a-z][a-z0-9_]*, at most 64 characters)"},
           {"[]", "the node declares no ports (at least one is expected)"}}) {
    const auto file = dir.write("bad.yaml", "id: demo\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                            "  - id: pick\n    plugin: declared_ports\n    with: { names: " + names + " }\n");
    std::vector<weft::Diagnostic> diagnostics;
    CHECK_FALSE(weft::load_workflow(file, weft::test::test_registry(), diagnostics));
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].str() == file.string() + ":7:20: node 'pick' (declared_ports): 'names': " + message);
  }
}
