// weft test's `messages:` expectations (SPEC 17): a deliver node's message and a subscription's,
// in order, checked by destination, type and data keys; nothing is sent.
#include "run_process.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using weft::test::run_weft;
using weft::test::TempDir;

TEST_CASE("weft test: messages are expected in order by destination, type and data, and a wrong one is shown") {
  TempDir dir;
  dir.write("flows/crm.yaml", "id: crm\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                              "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                              "  - id: group\n    plugin: profile_grouper\n"
                              "  - id: traits\n    plugin: profile_updater\n    with: { set: { name: $.payload.name } }\n"
                              "  - id: send\n    plugin: deliver\n    with: { destination: warehouse, type: seen, body: { who: $.payload.user } }\n");
  dir.write("destinations/warehouse.yaml", "id: warehouse\nurl: http://127.0.0.1:9/in\nsigning: { secret_env: WEFT_TEST_UNSET_SECRET }\n");
  dir.write("destinations/crm.yaml", "id: crm\nurl: http://127.0.0.1:9/crm\nsubscribe: [profile.created]\n");
  const auto config = dir.write("weft.yaml", "workflows: flows\ndestinations: destinations\nplugin_dirs: [" + std::string(WEFT_PLUGIN_DIR) + "]\n");
  const auto test_file = [&](const std::string& who) {
    return dir.write("flows/crm.test.yaml", "source: crm\ncases:\n  - name: a sign-up\n    events:\n      - payload: { user: A, name: Ann }\n"
                                            "    messages:\n"
                                            "      - { destination: warehouse, type: seen, data: { who: " + who + " } }\n"
                                            "      - { destination: crm, type: profile.created, data: { traits: { name: Ann } } }\n");
  };
  test_file("A");
  auto r = run_weft({"test", "--config", config.string(), (dir.path() / "flows").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("1 passed, 0 failed") != std::string::npos);

  test_file("B");
  r = run_weft({"test", "--config", config.string(), (dir.path() / "flows").string()});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find(R"(message at line 7: data.who: expected "B", got "A")") != std::string::npos);
}
