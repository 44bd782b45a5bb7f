// Reloading a running weft serve (SPEC 16): POST /admin/reload and SIGHUP, a new source
// answering and a removed one 404ing, an invalid set refused with every error while the old
// one keeps serving, a plugin library added after start-up, and reloads under load losing and
// refusing nothing.
#include "server_process.hpp"

#include "weft/store/sqlite/sqlite_store.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <thread>

using weft::test::http;
using weft::test::json_member;
using weft::test::ServerProcess;
using weft::test::TempDir;

namespace {

std::string flow(const std::string& id, const std::string& extra_nodes = "") {
  return "id: " + id + "\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
         "  - id: user\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
         "  - id: group\n    plugin: profile_grouper\n" + extra_nodes;
}

// Serves the workflows in dir/flows.
weft::test::ServeOptions flows_in(const TempDir& dir) {
  weft::test::ServeOptions options;
  options.workflows = (dir.path() / "flows").string();
  return options;
}

std::string metric(std::uint16_t port, const std::string& series) {
  const std::string text = http(port, "GET", "/metrics").body;
  const auto at = text.find(series + " ");
  if (at == std::string::npos) return "";
  const auto end = text.find('\n', at);
  return text.substr(at + series.size() + 1, end - at - series.size() - 1);
}

}  // namespace

TEST_CASE("reload: a new source answers at once, a removed one 404s, and the console's /sources says when") {
  TempDir dir;
  dir.write("flows/one.yaml", flow("one"));
  dir.write("flows/two.yaml", flow("two"));
  ServerProcess server(dir, flows_in(dir));
  const auto port = server.port();
  CHECK(http(port, "POST", "/collect/one", R"({"user":"u1"})").status == 200);
  CHECK(json_member(http(port, "GET", "/sources").body, "$.last_reload") == "null");

  std::filesystem::remove(dir.path() / "flows/two.yaml");
  dir.write("flows/three.yaml", flow("three"));
  const auto r = http(port, "POST", "/admin/reload", "");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"sources":["one","three"]})");
  CHECK(http(port, "POST", "/collect/three", R"({"user":"u1"})").status == 200);
  const auto gone = http(port, "POST", "/collect/two", R"({"user":"u1"})");
  CHECK(gone.status == 404);
  CHECK(json_member(gone.body, "$.error") == "unknown_source");
  CHECK(http(port, "POST", "/collect/one", R"({"user":"u1"})").status == 200);  // unchanged sources keep serving
  CHECK(json_member(http(port, "GET", "/sources").body, "$.last_reload.result") == "ok");
  CHECK(metric(port, "weft_reloads_total{result=\"ok\"}") == "1");
  CHECK(http(port, "GET", "/admin/reload").status == 405);
  CHECK(server.output().find("weft: reloaded: 2 sources (one, three)") != std::string::npos);
}

TEST_CASE("reload: an invalid set is refused with every error as file:line:column, and the old one keeps serving") {
  TempDir dir;
  dir.write("flows/one.yaml", flow("one"));
  ServerProcess server(dir, flows_in(dir));
  const auto port = server.port();
  const auto bad = dir.write("flows/bad.yaml", "id: bad\nnodez: []\n");
  dir.write("flows/one.yaml", flow("one", "  - id: kind\n    plugin: switch\n    with: { value: $.payload.t, cases: [{ port: a }] }\n"));
  dir.write("flows/signed.yaml", "id: signed\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                 "    with: { signature: { scheme: github, secret_env: WEFT_TEST_UNSET_SECRET } }\n");
  const auto r = http(port, "POST", "/admin/reload", "");
  CHECK(r.status == 422);
  INFO(r.body);
  CHECK(json_member(r.body, "$.error") == "invalid_workflows");
  CHECK(json_member(r.body, "$.message") == "4 errors; the running workflows are left as they were");
  const std::string one = (dir.path() / "flows/one.yaml").string();
  CHECK(json_member(r.body, "$.errors[0]") == bad.string() + ":1:1: missing required key 'nodes' (the list of nodes, starting with a trigger)");
  CHECK(json_member(r.body, "$.errors[1]") == bad.string() + ":2:1: unknown key 'nodez' (did you mean 'nodes'?)");
  CHECK(json_member(r.body, "$.errors[2]").find(one + ":12:41: node 'kind' (switch): 'cases[0]': a case needs exactly one of") == 0);
  CHECK(json_member(r.body, "$.errors[3]") == (dir.path() / "flows/signed.yaml").string() +
                                                  ":1:5: source 'signed': signature.secret_env names WEFT_TEST_UNSET_SECRET, which is not set; "
                                                  "set it, or remove `signature` to accept unsigned webhooks");

  // nothing changed: the old `one` (three nodes) still serves, no new source
  CHECK(http(port, "POST", "/collect/one", R"({"user":"u1"})").status == 200);
  CHECK(http(port, "POST", "/collect/signed", R"({"user":"u1"})").status == 404);
  CHECK(json_member(http(port, "GET", "/sources").body, "$.sources[0].nodes[2].id") == "group");
  CHECK(json_member(http(port, "GET", "/sources").body, "$.sources[1]") == "");
  CHECK(json_member(http(port, "GET", "/sources").body, "$.last_reload.result") == "failed");
  CHECK(metric(port, "weft_reloads_total{result=\"failed\"}") == "1");
  CHECK(metric(port, "weft_reloads_total{result=\"ok\"}") == "0");
  CHECK(server.output().find("weft: reload refused, the running workflows stay as they are:\n  " + bad.string() + ":1:1:") != std::string::npos);
}

TEST_CASE("reload: SIGHUP reloads, and loads a plugin library added since start-up") {
  TempDir dir;
  dir.write("flows/one.yaml", flow("one"));
  const auto extra = dir.path() / "more_plugins";
  std::filesystem::create_directories(extra);
  auto options = flows_in(dir);
  options.plugin_dirs = {WEFT_PLUGIN_DIR, extra.string()};
  ServerProcess server(dir, options);
  const auto port = server.port();
  std::filesystem::copy_file(std::string(WEFT_FIXTURE_PLUGIN_DIR) + "/probe.so", extra / "probe.so");
  dir.write("flows/probed.yaml", flow("probed", "  - id: mark\n    plugin: probe\n    with: { mark: seen }\n"));
  server.signal(SIGHUP);
  bool answered = false;
  for (int i = 0; i < 100 && !answered; ++i) {
    answered = http(port, "POST", "/collect/probed", R"({"user":"u1"})").status == 200;
    if (!answered) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(answered);
  CHECK(http(port, "GET", "/plugins").body.find(R"("name":"probe")") != std::string::npos);
  CHECK(metric(port, "weft_reloads_total{result=\"ok\"}") == "1");
}

TEST_CASE("reload: 20 reloads while clients post refuse nothing and lose nothing") {
  TempDir dir;
  dir.write("flows/load.yaml", flow("load"));
  const std::string store = (dir.path() / "weft.db").string();
  std::atomic<int> acknowledged{0}, refused{0};
  {
    auto options = flows_in(dir);
    options.store = "sqlite:" + store;
    ServerProcess server(dir, options);
    const auto port = server.port();
    std::atomic<bool> done{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c)
      clients.emplace_back([&, c] {
        for (int i = 0; !done || i < 20; ++i) {
          const auto r = http(port, "POST", "/collect/load", R"({"user":"c)" + std::to_string(c) + "-" + std::to_string(i % 50) + "\"}");
          if (r.status == 200) ++acknowledged;
          else ++refused;
        }
      });
    for (int n = 0; n < 20; ++n) {
      // every other reload changes the workflow (a trait appears or goes)
      dir.write("flows/load.yaml", flow("load", n % 2 ? "" : "  - id: traits\n    plugin: profile_updater\n    with: { set: { round: '" +
                                                                     std::to_string(n) + "' } }\n"));
      const auto r = http(port, "POST", "/admin/reload", "");
      CHECK(r.status == 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    done = true;
    for (auto& t : clients) t.join();
    CHECK(metric(port, "weft_reloads_total{result=\"ok\"}") == "20");
  }
  CHECK(refused == 0);
  CHECK(acknowledged >= 80);
  weft::SqliteStore check(store);
  std::int64_t stored = 0;
  for (int c = 0; c < 4; ++c)
    for (int u = 0; u < 50; ++u)
      if (const auto p = check.find_identifier("load", "c" + std::to_string(c) + "-" + std::to_string(u))) stored += check.count_events(*p);
  CHECK(stored == acknowledged);
}
