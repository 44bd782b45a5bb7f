// The plugin author's path, as docs/plugins.md tells it: compile the example plugin with
// nothing but the SDK headers and a compiler, load it with --config, use it in a workflow.
#include "run_process.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using weft::test::run_process;
using weft::test::run_weft;
using weft::test::TempDir;

TEST_CASE("the documented example plugin builds from the SDK headers alone and runs in a workflow") {
  TempDir dir;
  const std::string source = std::string(WEFT_SOURCE_DIR) + "/examples/plugins/field_match/field_match.cpp";
  const std::string sdk = std::string(WEFT_SOURCE_DIR) + "/core/sdk/include";
  std::filesystem::create_directories(dir.path() / "plugins");
  const auto built = run_process("/usr/bin/c++", {"-std=c++20", "-O1", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall", "-Wextra",
                                                  "-Werror", "-I" + sdk, source, "-o", (dir.path() / "plugins/field_match.so").string()});
  INFO(built.err);
  REQUIRE(built.exit_code == 0);

  dir.write("flows/slack.yaml", R"(id: slack
nodes:
  - id: receive
    plugin: webhook_trigger
  - id: skip_bots
    plugin: field_match
    with: { path: $.payload.event.bot_id, patterns: ["B.*"] }
    on: { matched: drop }
)");
  const auto config = dir.write("weft.yaml", "workflows: flows\nplugin_dirs: [" + std::string(WEFT_PLUGIN_DIR) + ", plugins]\n");

  auto r = run_weft({"plugins", "--config", config.string(), "--describe", "field_match"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("field_match 1.0.0 (node)\n") == 0);
  CHECK(r.out.find("  ports: out, matched, error\n") != std::string::npos);

  r = run_weft({"validate", "--config", config.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("slack.yaml: ok (source 'slack', 2 nodes)") != std::string::npos);
}
