// weft destinations (SPEC 17) on the store: messages written by weft ingest through a deliver
// node, listed; a destination disabled and enabled; a failed message sent again.
#include "weft/store/sqlite/sqlite_store.hpp"

#include "run_process.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using weft::test::run_weft;
using weft::test::TempDir;

TEST_CASE("weft destinations lists, disables, enables and retries on the store") {
  TempDir dir;
  dir.write("flows/crm.yaml", "id: crm\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                              "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                              "  - id: group\n    plugin: profile_grouper\n"
                              "  - id: send\n    plugin: deliver\n    with: { destination: warehouse, type: seen }\n");
  dir.write("destinations/warehouse.yaml", "id: warehouse\nurl: http://127.0.0.1:9/in\n");
  const auto config = dir.write("weft.yaml", "store: sqlite:weft.db\nworkflows: flows\ndestinations: destinations\nplugin_dirs: [" +
                                                 std::string(WEFT_PLUGIN_DIR) + "]\n");
  const auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--config", config.string()});
    return run_weft(args);
  };
  auto r = run({"ingest", "--source", "crm", dir.write("e.jsonl", "{\"user\":\"A\"}\n{\"user\":\"B\"}\n").string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  r = run({"destinations", "list"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find(R"({"id":"warehouse","url":"http://127.0.0.1:9/in","state":"enabled","pending":2,"failed":0,"delivered":0,)") == 17);  // after {"destinations":[

  REQUIRE(run({"destinations", "disable", "warehouse"}).out == "{\"id\":\"warehouse\",\"state\":\"disabled\"}\n");
  CHECK(run({"destinations", "list"}).out.find(R"("state":"disabled","pending":2)") != std::string::npos);
  REQUIRE(run({"destinations", "enable", "warehouse"}).exit_code == 0);
  CHECK(run({"destinations", "list"}).out.find(R"("state":"enabled","pending":2)") != std::string::npos);

  std::string first;
  {
    weft::SqliteStore store((dir.path() / "weft.db").string());
    const auto pending = store.outbox().messages("warehouse", "pending", 0, 10);
    REQUIRE(pending.size() == 2);
    first = pending[0].id;
    store.begin();
    store.outbox().settle({.seq = pending[0].seq, .attempt = {.at = 1, .error = "refused", .ms = 1},
                           .next = weft::MessageSettlement::Next::failed});
    store.commit();
  }
  CHECK(run({"destinations", "list"}).out.find(R"("pending":1,"failed":1)") != std::string::npos);
  r = run({"destinations", "retry", "warehouse", "--failed"});
  CHECK(r.out == "{\"retried\":1}\n");
  CHECK(run({"destinations", "list"}).out.find(R"("pending":2,"failed":0)") != std::string::npos);
  CHECK(run({"destinations", "retry", "warehouse", first}).out == "{\"retried\":1}\n");
  r = run({"destinations", "retry", "warehouse", "msg_nope"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("has no message 'msg_nope'") != std::string::npos);
  r = run({"destinations", "enable", "nope"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("no destination 'nope'") != std::string::npos);
  CHECK(run({"destinations", "retry"}).exit_code == 64);
}
