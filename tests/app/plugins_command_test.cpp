#include "run_process.hpp"

#include <catch2/catch.hpp>

using weft::test::run_weft;

TEST_CASE("weft plugins lists the built-in plugins") {
  const auto r = run_weft({"plugins"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("json_path_extractor           1.0.0     node     Copies the id") != std::string::npos);
  CHECK(r.out.find("webhook_trigger               1.0.0     trigger  ") != std::string::npos);
}

TEST_CASE("weft plugins --describe prints ports and config fields") {
  const auto r = run_weft({"plugins", "--describe", "json_path_extractor"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("json_path_extractor 1.0.0 (node)\n") == 0);
  CHECK(r.out.find("  ports: out, missing, error\n") != std::string::npos);
  CHECK(r.out.find("    path                     JSONPath; required\n") != std::string::npos);
  CHECK(r.out.find("    transform                one of none|lower|sha256; default none\n") != std::string::npos);
}

TEST_CASE("weft plugins --describe of an unknown plugin suggests one and exits 1") {
  const auto r = run_weft({"plugins", "--describe", "webhook_triger"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "weft: no plugin named 'webhook_triger' (did you mean 'webhook_trigger'?)\n");
}

TEST_CASE("weft --help, --version and unknown commands") {
  auto r = run_weft({"--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Usage: weft COMMAND") != std::string::npos);
  r = run_weft({"validate", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("weft validate — check workflow files") == 0);
  r = run_weft({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("weft 0.1.0 (plugin ABI 1.4)") == 0);
  r = run_weft({"valdate"});
  CHECK(r.exit_code == 64);
  CHECK(r.err.find("weft: unknown command 'valdate' (did you mean 'validate'?)") == 0);
  r = run_weft({"plugins", "--no-such-option"});
  CHECK(r.exit_code == 64);
  CHECK(r.err.find("weft: ") == 0);
  r = run_weft({});
  CHECK(r.exit_code == 64);
}
