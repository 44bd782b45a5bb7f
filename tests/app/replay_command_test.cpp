#include "weft/store/sqlite/sqlite_store.hpp"

#include "run_process.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using weft::test::run_weft;
using weft::test::TempDir;

namespace {

const std::string head = "id: orders\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n    with: { event_type: order }\n"
                         "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                         "  - id: group\n    plugin: profile_grouper\n";

}  // namespace

TEST_CASE("weft replay re-runs dead letters through the fixed workflow and updates them in place") {
  TempDir dir;
  dir.write("flows/orders.yaml", head + "  - id: boom\n    plugin: throwing\n");
  const auto config = dir.write("weft.yaml", "store: sqlite:weft.db\nworkflows: flows\nplugin_dirs: [" + std::string(WEFT_PLUGIN_DIR) + ", " +
                                                 WEFT_FIXTURE_PLUGIN_DIR + "]\n");
  const auto events = dir.write("orders.jsonl", "{\"user\":\"A\"}\n{\"user\":\"B\"}\n");
  auto r = run_weft({"ingest", "--config", config.string(), "--source", "orders", events.string()});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("failed 2") != std::string::npos);

  // still broken: replay reports it and leaves the dead letters
  r = run_weft({"replay", "--config", config.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "replayed 2 failed events: 0 processed, 2 still failed\n");

  // the fix: the failing node is gone
  dir.write("flows/orders.yaml", head);
  r = run_weft({"replay", "--config", config.string(), "--source", "orders"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "replayed 2 failed events of source 'orders': 2 processed, 0 still failed\n");

  weft::SqliteStore store((dir.path() / "weft.db").string());
  const auto profile = store.find_identifier("orders", "A");
  REQUIRE(profile);
  CHECK(store.count_events(*profile) == 1);
  const auto stored = store.profile_events(*profile, 0, 10, false);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].status == "processed");
  CHECK(stored[0].type == "order");
  CHECK_FALSE(stored[0].error);
  CHECK(stored[0].trace.find(R"("node":"group")") != std::string::npos);

  // nothing left to replay
  r = run_weft({"replay", "--config", config.string()});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "replayed 0 failed events: 0 processed, 0 still failed\n");
}
