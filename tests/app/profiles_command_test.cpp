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

namespace {

const std::string merging_flow = flow + "  - id: identify\n    plugin: email_identification_merger\n    with: { email: $.payload.email }\n";
const std::string blocking_flow =
    flow + "  - id: identify\n    plugin: email_identification_merger\n    with: { email: $.payload.email, blocked: ['info@.*'] }\n";

// Two customers who typed one shared inbox, ingested into a store in `dir`; returns the config.
std::string shared_inbox_store(TempDir& dir) {
  dir.write("flows/crm.yaml", merging_flow);
  const auto config = dir.write("weft.yaml", "store: sqlite:weft.db\nworkflows: flows\nplugin_dirs: [" + std::string(WEFT_PLUGIN_DIR) + "]\n");
  const auto events = dir.write("e.jsonl", "{\"user\":\"A\",\"email\":\"info@acme.example\"}\n{\"user\":\"B\",\"email\":\"b@acme.example\"}\n"
                                           "{\"user\":\"B\",\"email\":\"info@acme.example\"}\n");
  REQUIRE(run_weft({"ingest", "--config", config.string(), "--source", "crm", events.string()}).exit_code == 0);
  return config.string();
}

}  // namespace

TEST_CASE("weft profiles remove-identifier and rederive work on the store, and refuse while a server writes to it") {
  TempDir dir;
  const std::string config = shared_inbox_store(dir);
  std::string a, b;
  {
    weft::SqliteStore store((dir.path() / "weft.db").string());
    a = *store.find_identifier("crm", "A");
    REQUIRE(store.find_identifier("crm", "B") == a);  // joined by the shared inbox
    b = store.aliases(a).at(0);
  }
  auto r = run_weft({"profiles", "--config", config, "remove-identifier", a, "email:info@acme.example", "--block"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(weft::test::json_member(r.out, "$.profiles[0].id") == a);
  CHECK(weft::test::json_member(r.out, "$.profiles[1].id") == b);
  {
    weft::SqliteStore store((dir.path() / "weft.db").string());
    CHECK(store.find_identifier("crm", "B") == b);
    CHECK(store.blocked_identifiers().size() == 1);
    CHECK(store.operations(0, 1).at(0).kind == "block");
  }
  r = run_weft({"profiles", "--config", config, "rederive", b});
  REQUIRE(r.exit_code == 0);
  CHECK(weft::test::json_member(r.out, "$.profiles[0].id") == b);
  CHECK(weft::test::json_member(r.out, "$.profiles[0].event_count") == "2");
  r = run_weft({"profiles", "--config", config, "remove-identifier", a, "email:nobody@acme.example"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("does not hold") != std::string::npos);
  CHECK(run_weft({"profiles", "--config", config, "remove-identifier", a, "no-colon"}).exit_code == 64);
  CHECK(run_weft({"profiles", "--config", config, "rederive", a, "--block"}).exit_code == 64);

  // a server holds the store: the commands that need it alone refuse, and say what to do
  weft::test::ServeOptions options;
  options.workflows = (dir.path() / "flows").string();
  weft::test::ServerProcess server(dir, options);
  r = run_weft({"profiles", "--config", config, "rederive", b});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("is writing to the store") != std::string::npos);
  r = run_weft({"rebuild", "--config", config});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("stop it first") != std::string::npos);
  // ... while --url asks the server
  r = run_weft({"profiles", "rederive", b, "--url", "http://127.0.0.1:" + std::to_string(server.port())});
  CHECK(r.exit_code == 0);
}

TEST_CASE("weft rebuild applies a changed workflow to the past: --dry-run prints the change and writes nothing") {
  TempDir dir;
  const std::string config = shared_inbox_store(dir);
  std::string a, b;
  {
    weft::SqliteStore store((dir.path() / "weft.db").string());
    a = *store.find_identifier("crm", "A");
    b = store.aliases(a).at(0);
  }
  dir.write("flows/crm.yaml", blocking_flow);  // shared inboxes are no identity after all
  auto r = run_weft({"rebuild", "--config", config, "--dry-run"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("profiles: 1 before, 2 after") != std::string::npos);
  CHECK(r.out.find("merges that would be undone: 1\n  " + b + " out of " + a) != std::string::npos);
  CHECK(r.out.find("identifiers that would move: 3") != std::string::npos);  // crm:B, b@ to B; info@ to none
  CHECK(r.out.find("nothing was written") != std::string::npos);
  {
    weft::SqliteStore store((dir.path() / "weft.db").string());
    CHECK(store.find_identifier("crm", "B") == a);
    CHECK(store.operations(0, 10).empty());
  }
  r = run_weft({"rebuild", "--config", config});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("rebuilt 3 events") != std::string::npos);
  weft::SqliteStore store((dir.path() / "weft.db").string());
  CHECK(store.find_identifier("crm", "A") == a);
  CHECK(store.find_identifier("crm", "B") == b);  // B's old id, back
  CHECK_FALSE(store.find_identifier("email", "info@acme.example"));
  CHECK(store.count_events(a) == 1);
  CHECK(store.count_events(b) == 2);
  CHECK(store.merges(a).empty());
  CHECK(store.operations(0, 1).at(0).kind == "rebuild");
  CHECK(store.operations(0, 1).at(0).result == R"({"events":3,"failed":0,"profiles_before":2,"profiles_after":2})");
}

TEST_CASE("weft profiles erase deletes a person found by an identifier, and suppresses them unless told not to") {
  TempDir dir;
  const std::string config = shared_inbox_store(dir);  // A and B joined by info@
  auto r = run_weft({"profiles", "--config", config, "erase", "crm:B"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "{\"erased\":{\"profiles\":2,\"identifiers\":4,\"events\":3,\"merges\":1,\"unattributed_events\":0,\"messages\":0}}\n");
  {
    weft::SqliteStore store((dir.path() / "weft.db").string());
    CHECK_FALSE(store.find_identifier("crm", "A"));
    CHECK(store.operations(0, 1, "erase").size() == 1);
  }
  // suppressed: ingesting A again stores nothing
  REQUIRE(run_weft({"ingest", "--config", config, "--source", "crm", dir.write("again.jsonl", "{\"user\":\"A\"}\n").string()}).exit_code == 0);
  {
    weft::SqliteStore store((dir.path() / "weft.db").string());
    CHECK_FALSE(store.find_identifier("crm", "A"));
  }
  r = run_weft({"profiles", "--config", config, "erase", "crm:A"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("not_found") != std::string::npos);
  CHECK(run_weft({"profiles", "--config", config, "rederive", "x", "--no-suppress"}).exit_code == 64);
}
