#include "weft/base/settings.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using weft::test::TempDir;

TEST_CASE("without a config file the defaults are relative to the given folder") {
  const auto s = weft::default_settings("/srv/weft", "/opt/plugins");
  REQUIRE(s.listen.size() == 1);
  CHECK(s.listen[0].host_port == "127.0.0.1:8686");
  CHECK_FALSE(s.listen[0].tls);
  CHECK(s.store == "sqlite:/srv/weft/var/weft.db");
  CHECK(s.workflows == "/srv/weft/workflows");
  REQUIRE(s.plugin_dirs.size() == 1);
  CHECK(s.plugin_dirs[0] == "/opt/plugins");
  CHECK(s.max_body_bytes == 1048576);
  CHECK(s.max_json_depth == 64);
  CHECK(s.queue == 10000);
  CHECK(s.queue_bytes == 256u << 20);
  CHECK(s.token_env.empty());
}

TEST_CASE("a config file sets every key, paths relative to its folder") {
  TempDir dir;
  const auto file = dir.write("etc/weft.yaml", R"(listen: 0.0.0.0:9000
store: sqlite:../data/w.db
plugin_dirs: [./plugins, /usr/lib/weft/plugins]
workflows: flows
limits: { max_body_bytes: 2048, max_json_depth: 8, queue: 50, queue_bytes: 65536, node_budget_ms: 250 }
api: { token_env: MY_TOKEN }
)");
  std::vector<weft::Diagnostic> problems;
  const auto s = weft::load_settings(file, "/default/plugins", problems);
  REQUIRE(problems.empty());
  REQUIRE(s.listen.size() == 1);
  CHECK(s.listen[0].url(9000) == "http://0.0.0.0:9000");
  CHECK(s.store == "sqlite:" + (dir.path() / "data/w.db").string());
  REQUIRE(s.plugin_dirs.size() == 2);
  CHECK(s.plugin_dirs[0] == dir.path() / "etc/plugins");
  CHECK(s.plugin_dirs[1] == "/usr/lib/weft/plugins");
  CHECK(s.workflows == dir.path() / "etc/flows");
  CHECK(s.max_body_bytes == 2048);
  CHECK(s.max_json_depth == 8);
  CHECK(s.queue == 50);
  CHECK(s.queue_bytes == 65536);
  CHECK(s.node_budget_ms == 250);
  CHECK(s.token_env == "MY_TOKEN");
}

TEST_CASE("config file mistakes are reported with file, line and column") {
  TempDir dir;
  const auto file = dir.write("weft.yaml", "listen: 127.0.0.1:1\nworkflow: ./w\nlimits: { queue: lots }\n");
  std::vector<weft::Diagnostic> problems;
  weft::load_settings(file, "/p", problems);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].str() == file.string() + ":2:1: unknown key 'workflow' (did you mean 'workflows'?)");
  CHECK(problems[1].str() == file.string() + ":3:18: 'limits.queue' must be a positive integer, found 'lots'");
}

TEST_CASE("listen takes one address or a list: https:// needs tls with a certificate and a key") {
  TempDir dir;
  const auto file = dir.write("etc/weft.yaml", "listen: [127.0.0.1:8686, 'https://0.0.0.0:8443', 'http://[::1]:8080']\n"
                                               "tls: { certificate: certs/full.pem, key: /etc/weft/key.pem }\n");
  std::vector<weft::Diagnostic> problems;
  auto s = weft::load_settings(file, "/p", problems);
  REQUIRE(problems.empty());
  REQUIRE(s.listen.size() == 3);
  CHECK(s.listen[0].url(8686) == "http://127.0.0.1:8686");
  CHECK(s.listen[1].tls);
  CHECK(s.listen[1].host_port == "0.0.0.0:8443");
  CHECK(s.listen[2].host_port == "[::1]:8080");
  CHECK(s.tls_certificate == dir.path() / "etc/certs/full.pem");
  CHECK(s.tls_key == "/etc/weft/key.pem");

  const auto bad = dir.write("bad.yaml", "listen: ['https://0.0.0.0:8443', 'ftp://x:1', nope]\ntls: { cert: a.pem }\n");
  problems.clear();
  weft::load_settings(bad, "/p", problems);
  REQUIRE(problems.size() == 5);
  CHECK(problems[0].str() == bad.string() + ":1:34: 'listen': unknown scheme in 'ftp://x:1': expected HOST:PORT, http://HOST:PORT or https://HOST:PORT");
  CHECK(problems[1].str() == bad.string() + ":1:47: 'listen': expected HOST:PORT, found 'nope'");
  CHECK(problems[2].str() == bad.string() + ":2:8: unknown key 'tls.cert' (did you mean 'tls.certificate'?)");
  CHECK(problems[3].str() == bad.string() + ":2:6: 'tls' needs both certificate and key (PEM files)");
  CHECK(problems[4].str() == bad.string() + ":1:9: https://0.0.0.0:8443 needs tls: { certificate: FILE, key: FILE }");
}
