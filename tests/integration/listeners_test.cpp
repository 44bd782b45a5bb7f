// Listeners and the API (SPEC 8): an address that is not loopback never serves the profiles,
// corrections and erasures without a token; `routes: collect` serves only the webhooks.
#include "server_process.hpp"

#include <catch2/catch.hpp>

using weft::test::http;
using weft::test::json_member;
using weft::test::ServerProcess;
using weft::test::TempDir;

TEST_CASE("listeners: a public address serving every route with no token is refused at start-up, naming it") {
  TempDir dir;
  weft::test::ServeOptions options;
  options.listen = "[127.0.0.1:0, 0.0.0.0:0]";
  auto [code, output] = weft::test::serve_refusal(dir, options);
  CHECK(code == 1);
  CHECK(output.find("weft serve: not starting: http://0.0.0.0:0 is not a loopback address and would serve the API") != std::string::npos);
  CHECK(output.find("set api.token_env or routes: collect") != std::string::npos);

  options.listen = "[127.0.0.1:0, { address: '0.0.0.0:0', routes: all }]";  // said explicitly: the same
  std::tie(code, output) = weft::test::serve_refusal(dir, options);
  CHECK(code == 1);
  CHECK(output.find("http://0.0.0.0:0 is not a loopback address") != std::string::npos);

  options.listen = "[127.0.0.1:0, { address: '0.0.0.0:0', routes: some }]";
  std::tie(code, output) = weft::test::serve_refusal(dir, options);
  CHECK(code == 1);
  CHECK(output.find("'listen.routes' must be all or collect, found 'some'") != std::string::npos);
}

TEST_CASE("listeners: a second server on an address already served refuses to start instead of sharing the port") {
  TempDir first_dir, second_dir;
  ServerProcess first(first_dir);
  weft::test::ServeOptions options;
  options.listen = "127.0.0.1:" + std::to_string(first.port());
  const auto [code, output] = weft::test::serve_refusal(second_dir, options);
  CHECK(code != 0);
  CHECK(output.find("127.0.0.1:" + std::to_string(first.port())) != std::string::npos);
  CHECK(http(first.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("listeners: routes: collect takes webhooks and answers /healthz, and 404s the API and the console") {
  TempDir dir;
  weft::test::ServeOptions options;
  options.listen = "[127.0.0.1:0, { address: '0.0.0.0:0', routes: collect }]";
  ServerProcess server(dir, options);
  const auto hooks = server.port_of("http://0.0.0.0:");
  REQUIRE(hooks != 0);
  const auto stored = http(hooks, "POST", "/collect/generic", R"({"event":"signup","user_id":"form-1","email":"jane@example.com"})");
  CHECK(stored.status == 200);
  CHECK(http(hooks, "GET", "/healthz").status == 200);
  for (const char* path : {"/profiles", "/profiles?identifier=email:jane@example.com", "/events/x", "/merges", "/erasures", "/metrics", "/ui/", "/sources"}) {
    INFO(path);
    const auto r = http(hooks, "GET", path);
    CHECK(r.status == 404);
    CHECK(json_member(r.body, "$.error") == "not_found");
  }
  CHECK(http(hooks, "POST", "/admin/reload", "").status == 404);
  CHECK(http(hooks, "DELETE", "/profiles/" + json_member(stored.body, "$.profile_id")).status == 404);
  // the loopback address serves everything
  CHECK(http(server.port(), "GET", "/profiles?identifier=email:jane@example.com").status == 200);
  CHECK(http(server.port(), "GET", "/profiles/" + json_member(stored.body, "$.profile_id")).status == 200);
}

TEST_CASE("listeners: with a token, a public address may serve every route") {
  TempDir dir;
  weft::test::ServeOptions options;
  options.listen = "[127.0.0.1:0, 0.0.0.0:0]";
  options.extra_config = "api: { token_env: LISTEN_TEST_TOKEN }\n";
  options.env = {{"LISTEN_TEST_TOKEN", "t0ken"}};
  ServerProcess server(dir, options);
  const auto api = server.port_of("http://0.0.0.0:");
  REQUIRE(api != 0);
  CHECK(http(api, "GET", "/sources").status == 401);
  CHECK(http(api, "GET", "/sources", "", "application/json", {{"Authorization", "Bearer t0ken"}}).status == 200);
}
