#include "weft/workflow/workflow_loader.hpp"

#include "temp_dir.hpp"
#include "test_registry.hpp"

#include <catch2/catch.hpp>

using weft::test::TempDir;

namespace {

struct Loaded {
  std::shared_ptr<const weft::Workflow> workflow;
  std::vector<std::string> errors;  // "line:column: message", the file name left out
};

Loaded load(const std::string& yaml) {
  TempDir dir;
  const auto file = dir.write("flow.yaml", yaml);
  std::vector<weft::Diagnostic> diagnostics;
  Loaded loaded;
  loaded.workflow = weft::load_workflow(file, weft::test::test_registry(), diagnostics);
  for (const auto& d : diagnostics) {
    CHECK(d.file == file.string());
    loaded.errors.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
  }
  return loaded;
}

const char* const trigger = "  - id: receive\n    plugin: webhook_trigger\n";

}  // namespace

TEST_CASE("a valid workflow loads with its nodes and routes") {
  const auto loaded = load(std::string("id: demo\nname: Demo source\nnodes:\n") + trigger +
                           "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                           "    on: { missing: reject }\n");
  REQUIRE(loaded.errors.empty());
  REQUIRE(loaded.workflow);
  const auto& w = *loaded.workflow;
  CHECK(w.id == "demo");
  CHECK(w.name == "Demo source");
  REQUIRE(w.nodes.size() == 2);
  CHECK(w.nodes[0].id == "receive");
  CHECK(w.nodes[1].plugin().name == "json_path_extractor");
  REQUIRE(w.nodes[1].routes.size() == 3);  // out, missing, error
  CHECK(w.nodes[1].routes[0].kind == weft::Route::Kind::next);
  CHECK(w.nodes[1].routes[1].kind == weft::Route::Kind::reject);
  CHECK(w.nodes[1].routes[2].kind == weft::Route::Kind::fail);
}

TEST_CASE("config defaults are filled in before the node is created") {
  const auto loaded = load(std::string("id: demo\nnodes:\n") + trigger +
                           "  - id: extract\n    plugin: json_path_extractor\n    with:\n      path: $.payload.user\n");
  REQUIRE(loaded.workflow);
  const auto& config = loaded.workflow->nodes[1].instance->config();
  CHECK(std::string(config["into"].GetString()) == "profile_key");
  CHECK(std::string(config["transform"].GetString()) == "none");
  CHECK_FALSE(config.HasMember("blocked"));
}

TEST_CASE("YAML syntax errors are reported at their position") {
  // line:column of the token yaml-cpp stopped at, 1-based
  auto loaded = load("id: demo\nnodes: [\n  - id: x\n");
  CHECK_FALSE(loaded.workflow);
  CHECK(loaded.errors == std::vector<std::string>{"3:3: YAML syntax error: illegal block entry"});
  loaded = load("id: demo\nnodes:\n  - id: x\n    with: { a: [1, 2 }\n");
  CHECK(loaded.errors == std::vector<std::string>{"4:22: YAML syntax error: illegal flow end"});
}

TEST_CASE("unknown keys are reported with a suggestion at every level") {
  const auto loaded = load("id: demo\nnodse:\n" + std::string(trigger) +
                           "  - id: extract\n    plugn: json_path_extractor\n    with: { path: $.a, int: x }\n");
  // `nodse` is not `nodes`, so the workflow also has no nodes.
  CHECK(loaded.errors == std::vector<std::string>{
                             "2:1: unknown key 'nodse' (did you mean 'nodes'?)",
                             "1:1: missing required key 'nodes' (the list of nodes, starting with a trigger)",
                         });
  const auto node_level = load(std::string("id: demo\nnodes:\n") + trigger +
                               "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.a, int: x }\n    onn: {}\n");
  CHECK(node_level.errors == std::vector<std::string>{
                                 "8:5: unknown key 'onn' in a node (did you mean 'on'?)",
                                 "7:24: node 'extract' (json_path_extractor): unknown key 'int' (did you mean 'into'?)",
                             });
}

TEST_CASE("unknown plugins are reported with a suggestion") {
  const auto loaded = load(std::string("id: demo\nnodes:\n") + trigger + "  - id: extract\n    plugin: json_path_extracter\n");
  CHECK(loaded.errors == std::vector<std::string>{
                             "6:13: unknown plugin 'json_path_extracter' (did you mean 'json_path_extractor'?) (see `weft plugins`)"});
}

TEST_CASE("config values of the wrong type and missing required keys are reported") {
  const auto loaded = load(std::string("id: demo\nnodes:\n") + trigger +
                           "  - id: p\n    plugin: probe\n    with:\n      mark: m\n      count: many\n      flag: yes\n"
                           "      port: outt\n"
                           "  - id: e\n    plugin: json_path_extractor\n    with: { transform: upper }\n"
                           "  - id: q\n    plugin: probe\n    with: { mark: [a], count: \"3\" }\n");
  CHECK(loaded.errors == std::vector<std::string>{
                             "9:14: node 'p' (probe): 'count': expected an integer, found 'many'",
                             "10:13: node 'p' (probe): 'flag': expected true or false, found 'yes'",
                             "11:13: node 'p' (probe): 'port': expected one of out|alt|missing, found 'outt' (did you mean 'out'?)",
                             "14:24: node 'e' (json_path_extractor): 'transform': expected one of none|lower|sha256, found 'upper'",
                             "14:11: node 'e' (json_path_extractor): missing required key 'path' (where the value is, e.g. "
                             "$.payload.event.user)",
                             "17:19: node 'q' (probe): 'mark': expected a string value, found a list",
                             "17:31: node 'q' (probe): 'count': expected an integer, found the string \"3\"",
                         });
}

TEST_CASE("invalid JSONPaths are reported with the reason") {
  const auto loaded = load(std::string("id: demo\nnodes:\n") + trigger +
                           "  - id: e\n    plugin: json_path_extractor\n    with: { path: \"$.payload[?length(@.user)]\" }\n");
  CHECK(loaded.errors == std::vector<std::string>{
                             "7:19: node 'e' (json_path_extractor): 'path': invalid JSONPath '$.payload[?length(@.user)]': "
                             "length() gives a value, not true or false: compare it with something at position 12"});
}

TEST_CASE("a regex RE2 cannot run in linear time is reported at its position with what to do instead") {
  const auto loaded = load(std::string("id: demo\nnodes:\n") + trigger +
                           "  - id: e\n    plugin: json_path_extractor\n    with: { path: $.payload.id, blocked: ['', '(?!cus_).*'] }\n");
  REQUIRE(loaded.errors.size() == 1);
  CHECK(loaded.errors[0].rfind("7:47: node 'e' (json_path_extractor): 'blocked': '(?!cus_).*' is not a valid regular expression: "
                               "invalid perl operator: (?!", 0) == 0);
  CHECK(loaded.errors[0].find("list that shape under `allowed:`") != std::string::npos);
}

TEST_CASE("duplicate node ids and duplicate keys are reported") {
  const auto loaded = load(std::string("id: demo\nnodes:\n") + trigger +
                           "  - id: receive\n    plugin: probe\n    with: { mark: a, mark: b }\n");
  CHECK(loaded.errors == std::vector<std::string>{
                             "5:9: duplicate node id 'receive' (node #1 has it too)",
                             "7:22: node 'receive' (probe): duplicate key 'mark'",
                         });
}

TEST_CASE("the first node must be a trigger, and only the first") {
  const auto loaded = load("id: demo\nnodes:\n  - id: p\n    plugin: probe\n    with: { mark: a }\n"
                           "  - id: t\n    plugin: webhook_trigger\n");
  CHECK(loaded.errors == std::vector<std::string>{
                             "4:13: the first node must be a trigger plugin such as webhook_trigger; 'probe' is not a trigger",
                             "7:13: 'webhook_trigger' is a trigger: only the first node of a workflow may be one",
                         });
}

TEST_CASE("routes to unknown or earlier nodes, and unknown ports, are reported") {
  const auto loaded = load(std::string("id: demo\nnodes:\n") + trigger +
                           "  - id: first\n    plugin: probe\n    with: { mark: a }\n"
                           "    on: { alt: secnd, missing: first, error: receive, outt: stop }\n"
                           "  - id: second\n    plugin: probe\n    with: { mark: b }\n");
  CHECK(loaded.errors == std::vector<std::string>{
                             "8:55: unknown port 'outt' in node 'first': this probe node has out, alt, missing, error (did you mean 'out'?)",
                             "8:16: route to unknown node 'secnd' (did you mean 'second'?) (a target is a later node id, stop, "
                             "drop or reject)",
                             "8:32: route from 'first' to 'first', which is not after it: routes go forward (workflows are acyclic)",
                             "8:46: route from 'first' to 'receive', which is not after it: routes go forward (workflows are "
                             "acyclic)",
                         });
}

TEST_CASE("a plugin's configure error is reported at the node, and the host survives throws") {
  const auto loaded = load(std::string("id: demo\nnodes:\n") + trigger +
                           "  - id: t\n    plugin: throwing\n    with: { in: configure }\n"
                           "  - id: x\n    plugin: escaping\n    with: { in: create }\n");
  CHECK(loaded.errors == std::vector<std::string>{
                             "7:11: node 't' (throwing): configure refused: test says so",
                             "10:11: node 'x' (escaping): plugin 'escaping' threw out of create (plugins must not throw across "
                             "the ABI)",
                         });
}

TEST_CASE("the source id and the nodes list are checked") {
  CHECK(load("id: Not Valid\nnodes: []\n").errors ==
        std::vector<std::string>{
            "1:5: invalid source id 'Not Valid': expected 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit",
            "2:8: 'nodes' must be a non-empty list of nodes, starting with a trigger",
        });
  CHECK(load("- just a list\n").errors == std::vector<std::string>{"1:1: a workflow is a map with the keys id, name and nodes"});
  CHECK(load(std::string("nodes:\n") + trigger).errors ==
        std::vector<std::string>{"1:1: missing required key 'id' (the source id: POST /collect/{id})"});
  CHECK(load(std::string("id: demo\nnodes:\n") + trigger + "  - id: stop\n    plugin: probe\n    with: { mark: a }\n").errors ==
        std::vector<std::string>{"5:9: node id 'stop' is reserved: it is a route target"});
}

TEST_CASE("two files with one source id are reported at the second") {
  TempDir dir;
  const std::string body = std::string("nodes:\n") + trigger;
  const auto a = dir.write("flows/a.yaml", "id: same\n" + body);
  const auto b = dir.write("flows/b.yml", "id: same\n" + body);
  dir.write("flows/c.yaml", "id: other\n" + body);
  dir.write("flows/notes.txt", "not a workflow");
  std::vector<weft::Diagnostic> diagnostics;
  const auto workflows = weft::load_workflows({dir.path() / "flows"}, weft::test::test_registry(), diagnostics);
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].str() == b.string() + ":1:5: source id 'same' is already defined in " + a.string() + ":1:5");
  CHECK(workflows.size() == 2);
  CHECK(workflows.count("same") == 1);
  CHECK(workflows.count("other") == 1);
}

TEST_CASE("every error in a file is reported, not only the first") {
  const auto loaded = load("id: demo\nnodes:\n  - id: a\n    plugin: nope\n  - id: a\n    plugin: probe\n    with: { mark: x, count: z }\n");
  CHECK(loaded.errors == std::vector<std::string>{
                             "4:13: unknown plugin 'nope' (see `weft plugins`)",
                             "5:9: duplicate node id 'a' (node #1 has it too)",
                             "7:29: node 'a' (probe): 'count': expected an integer, found 'z'",
                         });
}

TEST_CASE("a plugin name is a name, never a path to a library") {
  for (const char* name : {"../../plugins/webhook_trigger", "/usr/lib/x86_64-linux-gnu/libc.so.6", "webhook_trigger.so"}) {
    INFO(name);
    const auto loaded = load("id: demo\nnodes:\n  - id: receive\n    plugin: \"" + std::string(name) + "\"\n");
    CHECK_FALSE(loaded.workflow);
    REQUIRE(loaded.errors.size() == 1);
    CHECK(loaded.errors[0].find("unknown plugin '" + std::string(name) + "'") != std::string::npos);
  }
}
