#include "run_process.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using weft::test::run_weft;
using weft::test::TempDir;

namespace {
const std::string examples = std::string(WEFT_SOURCE_DIR) + "/workflows";
const std::string trigger = "nodes:\n  - id: receive\n    plugin: webhook_trigger\n";
}  // namespace

TEST_CASE("weft validate accepts the example workflows") {
  const auto r = run_weft({"validate", examples});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  for (const char* source : {"slack", "stripe", "github", "generic"})
    CHECK(r.out.find("/" + std::string(source) + ".yaml: ok (source '" + source + "'") != std::string::npos);
}

TEST_CASE("weft validate with no path checks ./workflows") {
  const auto r = run_weft({"validate"}, WEFT_SOURCE_DIR);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("workflows/slack.yaml: ok") != std::string::npos);
}

TEST_CASE("weft validate prints every error as file:line:column and exits 1") {
  TempDir dir;
  const auto bad = dir.write("bad.yaml", "id: bad\nnodez: []\n");
  const auto worse = dir.write("worse.yaml", "id: worse\n" + trigger + "  - id: e\n    plugin: json_path_extractor\n    with: { path: nope }\n");
  const auto good = dir.write("good.yaml", "id: good\n" + trigger);
  const auto r = run_weft({"validate", dir.path().string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err == bad.string() + ":1:1: missing required key 'nodes' (the list of nodes, starting with a trigger)\n" +
                     bad.string() + ":2:1: unknown key 'nodez' (did you mean 'nodes'?)\n" + worse.string() +
                     ":7:19: node 'e' (json_path_extractor): 'path': invalid JSONPath 'nope': a JSONPath starts with '$' at position 1\n"
                     "3 errors\n");
  CHECK(r.out == good.string() + ": ok (source 'good', 1 nodes)\n");
}

TEST_CASE("weft validate reports a missing path") {
  const auto r = run_weft({"validate", "/nonexistent/flow.yaml"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "/nonexistent/flow.yaml:1:1: no such file or directory\n1 error\n");
}

TEST_CASE("weft validate uses --config for plugin_dirs and workflows") {
  TempDir dir;
  dir.write("flows/only.yaml", "id: only\n" + trigger);
  const auto config = dir.write("weft.yaml", "workflows: flows\nplugin_dirs: [" + std::string(WEFT_PLUGIN_DIR) + "]\n");
  auto r = run_weft({"validate", "--config", config.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == (dir.path() / "flows/only.yaml").string() + ": ok (source 'only', 1 nodes)\n");

  // with the fixture plugins, the broken libraries are errors too
  const auto broken = dir.write("broken.yaml", "workflows: flows\nplugin_dirs: [" + std::string(WEFT_FIXTURE_PLUGIN_DIR) + "]\n");
  r = run_weft({"validate", "--config", broken.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("wrong_major.so: refused: ABI version mismatch: plugin has major 2, this weft expects 1\n") != std::string::npos);
  CHECK(r.err.find("flows/only.yaml:4:13: unknown plugin 'webhook_trigger'") != std::string::npos);
}

TEST_CASE("a broken config file is reported and exits 1") {
  TempDir dir;
  const auto config = dir.write("weft.yaml", "plugins_dir: x\n");
  const auto r = run_weft({"validate", "--config", config.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err == config.string() + ":1:1: unknown key 'plugins_dir' (did you mean 'plugin_dirs'?)\n");
}
