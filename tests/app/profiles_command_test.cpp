#include "weft/store/sqlite/sqlite_store.hpp"

#include "run_process.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using weft::test::run_weft;
using weft::test::TempDir;

namespace {

const std::string flow = "id: crm\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                         "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                         "  - id: group\n    plugin: profile_grouper\n";

}  // namespace

TEST_CASE("weft profiles merge joins two profiles on the store, with the reason in the log") {
  TempDir dir;
  dir.write("flows/crm.yaml", flow);
  const auto config = dir.write("weft.yaml", "store: sqlite:weft.db\nworkflows: flows\nplugin_dirs: [" + std::string(WEFT_PLUGIN_DIR) + "]\n");
  REQUIRE(run_weft({"ingest", "--config", config.string(), "--source", "crm", dir.write("e.jsonl", "{\"user\":\"A\"}\n{\"user\":\"B\"}\n").string()})
              .exit_code == 0);
  std::string a, b;
  {
    weft::SqliteStore store((dir.path() / "weft.db").string());
    a = *store.find_identifier("crm", "A");
    b = *store.find_identifier("crm", "B");
  }
  auto r = run_weft({"profiles", "--config", config.string(), "merge", b, a, "--reason", "same customer"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"id\":\"" + a + "\"") != std::string::npos);  // the older one survives
  {
    weft::SqliteStore store((dir.path() / "weft.db").string());
    CHECK(store.find_identifier("crm", "B") == a);
    const auto log = store.operations(0, 10);
    REQUIRE(log.size() == 1);
    CHECK(log[0].kind == "merge");
    CHECK(log[0].reason == "same customer");
    REQUIRE(store.merges(a).size() == 1);
    CHECK_FALSE(store.merges(a)[0].identifier);
  }
  // both are one now: refused, and said why
  r = run_weft({"profiles", "--config", config.string(), "merge", a, b});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("already one profile") != std::string::npos);
  r = run_weft({"profiles", "--config", config.string(), "merge", a});
  CHECK(r.exit_code == 64);
  CHECK(run_weft({"replay", "--reason", "x"}).exit_code == 64);
}

TEST_CASE("weft profiles merge --url asks a running server") {
  TempDir dir;
  weft::test::ServeOptions options;
  options.workflows = dir.write("flows/crm.yaml", flow).parent_path().string();
  weft::test::ServerProcess server(dir, options);
  const auto a = weft::test::http(server.port(), "POST", "/collect/crm", R"({"user":"A"})");
  const auto b = weft::test::http(server.port(), "POST", "/collect/crm", R"({"user":"B"})");
  const std::string pa = weft::test::json_member(a.body, "$.profile_id"), pb = weft::test::json_member(b.body, "$.profile_id");
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  auto r = run_weft({"profiles", "merge", pa, pb, "--reason", "by hand", "--url", url});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(weft::test::json_member(weft::test::http(server.port(), "GET", "/profiles/" + pb).body, "$.id") == pa);
  CHECK(weft::test::json_member(weft::test::http(server.port(), "GET", "/operations").body, "$.operations[0].reason") == "by hand");
  r = run_weft({"profiles", "merge", pa, "nobody", "--url", url});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("not_found") != std::string::npos);
}
