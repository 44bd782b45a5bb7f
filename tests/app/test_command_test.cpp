// weft test and weft try (SPEC 15), as a user runs them: the real binary, plugins and stores.
#include "run_process.hpp"
#include "temp_dir.hpp"

#include "weft/store/store_factory.hpp"

#include <catch2/catch.hpp>

using weft::test::run_weft;
using weft::test::TempDir;

namespace {

const std::string flow = "id: shop\nnodes:\n"
                         "  - id: receive\n    plugin: webhook_trigger\n    with: { event_type: $.payload.kind }\n"
                         "  - id: user\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n    on: { missing: reject }\n"
                         "  - id: group\n    plugin: profile_grouper\n"
                         "  - id: traits\n    plugin: profile_updater\n    with: { set: { plan: $.payload.plan } }\n"
                         "  - id: email\n    plugin: email_identification_merger\n    with: { email: $.payload.email }\n";

const std::string passing = "source: shop\ncases:\n"
                            "  - name: two users with one e-mail are one profile\n"
                            "    events:\n"
                            "      - payload: { kind: signup, user: u1, email: A@x.org, plan: free }\n"
                            "        expect: { status: processed, type: signup, path: [receive, user, group, traits, email] }\n"
                            "      - payload: { kind: signup, user: u2, email: a@x.org, plan: pro }\n"
                            "        expect: { properties: { profile_key: u2 } }\n"
                            "    profiles:\n"
                            "      - identifiers: [shop:u1, shop:u2, email:a@x.org]\n"
                            "        traits: { plan: free }\n"  // keep_survivor: the older profile's plan
                            "        events: 2\n";

}  // namespace

TEST_CASE("weft test runs the shipped tests of every example workflow") {
  const auto r = run_weft({"test"}, WEFT_SOURCE_DIR);  // default: ./workflows
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  for (const char* file : {"slack", "stripe", "github", "generic"})
    CHECK(r.out.find("/workflows/" + std::string(file) + ".test.yaml:") != std::string::npos);
  CHECK(r.out.find(" 0 failed\n") != std::string::npos);
  CHECK(r.out.find("FAIL") == std::string::npos);
}

TEST_CASE("weft validate and weft test run over the whole sender catalog (SPEC 18)") {
  const std::string catalog = std::string(WEFT_SOURCE_DIR) + "/workflows/catalog/";
  const auto validated = run_weft({"validate", catalog});
  INFO(validated.out << validated.err);
  CHECK(validated.exit_code == 0);
  const auto tested = run_weft({"test", catalog});
  INFO(tested.out << tested.err);
  CHECK(tested.exit_code == 0);
  for (const char* sender : {"sendgrid", "hubspot", "twilio", "postmark", "calendly", "intercom", "zendesk", "shopify", "typeform", "mailchimp", "paddle"})
    CHECK(tested.out.find("/workflows/catalog/" + std::string(sender) + ".test.yaml:") != std::string::npos);
  CHECK(tested.out.find(" 0 failed\n") != std::string::npos);
  CHECK(tested.out.find("FAIL") == std::string::npos);
}

TEST_CASE("weft test: a passing file, one line per case and the summary") {
  TempDir dir;
  dir.write("shop.yaml", flow);
  const auto test = dir.write("shop.test.yaml", passing);
  const auto r = run_weft({"test", test.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok    " + test.string() + ":3: two users with one e-mail are one profile\n1 passed, 0 failed\n");
}

TEST_CASE("weft test: a failing case prints its differences and exits 1") {
  TempDir dir;
  dir.write("shop.yaml", flow);
  dir.write("shop.test.yaml", passing + "  - name: a wrong expectation\n"
                                        "    events:\n"
                                        "      - payload: { kind: visit, plan: gold }\n"
                                        "        expect: { status: processed, path: [receive, user, group] }\n"
                                        "      - payload: { kind: visit, user: u3, plan: gold }\n"
                                        "        expect: { type: signup, properties: { profile_key: u4, other: 1 } }\n"
                                        "    profiles:\n"
                                        "      - identifiers: [shop:u3]\n"
                                        "        traits: { plan: silver }\n"
                                        "        events: 2\n"
                                        "      - identifiers: [shop:u9]\n");
  const auto r = run_weft({"test", dir.path().string()});
  CHECK(r.exit_code == 1);
  const std::string file = (dir.path() / "shop.test.yaml").string();
  CHECK(r.out == "ok    " + file + ":3: two users with one e-mail are one profile\n"
                 "FAIL  " + file + ":13: a wrong expectation\n"
                 "      event at line 15: status: expected processed, got rejected (node 'user' left on 'missing')\n"
                 "      event at line 15: path: expected [receive, user, group], got [receive, user]\n"
                 "      event at line 17: type: expected signup, got visit\n"
                 "      event at line 17: properties.profile_key: expected \"u4\", got \"u3\"\n"
                 "      event at line 17: properties.other: expected 1, got nothing\n"
                 "      profile at line 20: traits.plan: expected \"silver\", got \"gold\"\n"
                 "      profile at line 20: events: expected 2, got 1\n"
                 "      profile at line 23: no live profile has exactly the identifiers [shop:u9]\n"
                 "1 passed, 1 failed\n");
}

TEST_CASE("weft test: an invalid test file is file:line:column and exit 2, and cases are independent stores") {
  TempDir dir;
  dir.write("shop.yaml", flow);
  const auto bad = dir.write("bad.test.yaml", "source: shop\ncases:\n  - name: x\n    events:\n      - payload: { user: u1 }\n"
                                              "        expect: { status: procesed, pth: [a] }\n");
  auto r = run_weft({"test", bad.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == bad.string() + ":6:27: unknown status 'procesed': expected processed, failed, rejected, dropped, suppressed or duplicate "
                                "(did you mean 'processed'?)\n" +
                     bad.string() + ":6:37: unknown key 'pth' in expect (did you mean 'path'?)\n");
  const auto unknown = dir.write("other.test.yaml", "source: shopp\ncases:\n  - name: x\n    events: [{ payload: {} }]\n");
  r = run_weft({"test", unknown.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == unknown.string() + ":1:9: no workflow defines source 'shopp' (looked in " + dir.path().string() + ")\n");
  r = run_weft({"test", (dir.path() / "shop.yaml").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("not a workflow test file") != std::string::npos);

  // each case starts from an empty store: the second case does not see the first's profile
  const auto two = dir.write("two.test.yaml", "source: shop\ncases:\n"
                                              "  - name: one\n    events: [{ payload: { user: u1 } }]\n    profiles: [{ identifiers: [shop:u1] }]\n"
                                              "  - name: two\n    events: [{ payload: { user: u2 } }]\n    profiles: [{ identifiers: [shop:u2] }]\n");
  r = run_weft({"test", two.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("2 passed, 0 failed") != std::string::npos);
}

TEST_CASE("weft validate and serve's loader skip test files in a workflows folder") {
  TempDir dir;
  dir.write("shop.yaml", flow);
  dir.write("shop.test.yaml", passing);
  const auto r = run_weft({"validate", dir.path().string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == (dir.path() / "shop.yaml").string() + ": ok (source 'shop', 5 nodes)\n");
}

TEST_CASE("weft try prints the trace and the profile changes, and stores nothing") {
  TempDir dir;
  dir.write("flows/shop.yaml", flow);
  const std::string db = (dir.path() / "weft.db").string();
  const auto config = dir.write("weft.yaml", "workflows: flows\nstore: sqlite:" + db + "\nplugin_dirs: [" + std::string(WEFT_PLUGIN_DIR) + "]\n");
  const auto payload = dir.write("signup.json", R"({"kind":"signup","user":"u1","email":"a@x.org","plan":"pro"})");
  const auto r = run_weft({"try", "--config", config.string(), "--source", "shop", payload.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("trace:\n  receive             webhook_trigger               out") != std::string::npos);
  CHECK(r.out.find("  email               email_identification_merger   out") != std::string::npos);
  CHECK(r.out.find("status: processed\ntype: signup\nproperties: {\"profile_key\":\"u1\"}\n") != std::string::npos);
  CHECK(r.out.find(" (created)\n  traits:\n    plan: (none) -> \"pro\"\n") != std::string::npos);
  CHECK(r.out.find("nothing was stored") != std::string::npos);
  {
    auto store = weft::open_store("sqlite:" + db);
    CHECK(store->count_live_profiles() == 0);
    CHECK_FALSE(store->find_identifier("shop", "u1"));
  }
  const auto rejected = dir.write("anonymous.json", R"({"kind":"visit"})");
  const auto again = run_weft({"try", "--config", config.string(), "--source", "shop", rejected.string()});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("status: rejected\n") != std::string::npos);
  CHECK(again.out.find("profile: none would change\n") != std::string::npos);
  const auto wrong = run_weft({"try", "--config", config.string(), "--source", "shoop", payload.string()});
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err == "weft try: no workflow defines source 'shoop' (did you mean 'shop'?)\n");
}

TEST_CASE("weft validate with no PATH checks the destinations folder too, secrets and variables included") {
  TempDir dir;
  dir.write("flows/shop.yaml", flow);
  dir.write("out/crm.yaml", "id: crm\nurl: https://crm.example.com/hooks\nsigning: { secret_env: WEFT_TEST_UNSET_SECRET }\n");
  dir.write("out/log.yaml", "id: log\nurl: http://127.0.0.1:9/in\n");
  const auto config = dir.write("weft.yaml", "workflows: flows\ndestinations: out\nplugin_dirs: [" + std::string(WEFT_PLUGIN_DIR) + "]\n");
  auto r = run_weft({"validate", "--config", config.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err == (dir.path() / "out/crm.yaml").string() +
                     ":3:24: 'signing.secret_env': the environment variable WEFT_TEST_UNSET_SECRET is not set\n1 error\n");
  CHECK(r.out.find((dir.path() / "out/log.yaml").string() + ": ok (destination 'log')\n") != std::string::npos);

  dir.write("out/crm.yaml", "id: crm\nurl: https://crm.example.com/hooks\n");
  r = run_weft({"validate", "--config", config.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(": ok (destination 'crm')\n") != std::string::npos);
  // a PATH names workflows only
  r = run_weft({"validate", "--config", config.string(), (dir.path() / "flows").string()});
  CHECK(r.out.find("destination") == std::string::npos);
}
