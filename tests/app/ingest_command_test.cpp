#include "weft/store/sqlite/sqlite_store.hpp"

#include "run_process.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <map>

using weft::test::run_weft;
using weft::test::TempDir;

namespace {

const std::string samples = std::string(WEFT_SOURCE_DIR) + "/workflows/samples/";

// A config with a fresh store and the example workflows.
std::string config_in(const TempDir& dir) {
  return dir.write("weft.yaml", "store: sqlite:data/weft.db\nworkflows: " + std::string(WEFT_SOURCE_DIR) +
                                    "/workflows\nplugin_dirs: [" + WEFT_PLUGIN_DIR + "]\n")
      .string();
}

}  // namespace

TEST_CASE("weft ingest runs the samples of every source into one store and merges the same person") {
  TempDir dir;
  const std::string config = config_in(dir);
  std::map<std::string, std::string> summaries;
  for (const char* source : {"slack", "stripe", "github", "generic"}) {
    const auto r = run_weft({"ingest", "--config", config, "--source", source, samples + source + ".jsonl"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    summaries[source] = r.out;
  }
  CHECK(summaries["slack"].find("ingested 6 events from " + samples + "slack.jsonl into source 'slack'") == 0);
  CHECK(summaries["slack"].find("  processed 5, duplicates 0, rejected 0, dropped 1, failed 0, suppressed 0, malformed lines 0\n") != std::string::npos);
  CHECK(summaries["slack"].find("  profiles created 3, merges 0, refused merges 0\n") != std::string::npos);
  CHECK(summaries["stripe"].find("  processed 5, duplicates 0, rejected 0, dropped 0, failed 0, suppressed 0, malformed lines 0\n") != std::string::npos);
  CHECK(summaries["stripe"].find("  profiles created 2, merges 1, refused merges 0\n") != std::string::npos);

  // Jane is in Slack, Stripe and GitHub with one e-mail: one profile with all of it.
  weft::SqliteStore store((dir.path() / "data/weft.db").string());
  const auto jane = store.find_identifier("email", "jane.doe@example.com");
  REQUIRE(jane);
  CHECK(store.find_identifier("slack", "U061F7AUR") == jane);
  CHECK(store.find_identifier("stripe", "cus_NffrFeUfNV2Hib") == jane);
  CHECK(store.find_identifier("github", "5830001") == jane);
  const auto profile = store.load_profile(*jane);
  CHECK(store.count_events(profile->id) == 6);
  CHECK(profile->traits.find(R"("name":"Jane Doe")") != std::string::npos);
  CHECK(store.merges(*jane).size() == 2);
  // GitHub's no-reply address identifies no one
  CHECK_FALSE(store.find_identifier("email", "583231+octocat@users.noreply.github.com"));
}

TEST_CASE("running the same back-fill twice stores nothing twice: idempotency keys dedupe it") {
  TempDir dir;
  const std::string config = config_in(dir);
  auto r = run_weft({"ingest", "--config", config, "--source", "stripe", samples + "stripe.jsonl"});
  REQUIRE(r.exit_code == 0);
  r = run_weft({"ingest", "--config", config, "--source", "stripe", samples + "stripe.jsonl"});
  REQUIRE(r.exit_code == 0);
  // the five stored events (one, a product's, without a profile) come back as duplicates
  CHECK(r.out.find("  processed 0, duplicates 5, rejected 0, dropped 0, failed 0, suppressed 0, malformed lines 0\n") != std::string::npos);
  CHECK(r.out.find("  profiles created 0, merges 0, refused merges 0\n") != std::string::npos);
  weft::SqliteStore store((dir.path() / "data/weft.db").string());
  CHECK(store.count_events(*store.find_identifier("stripe", "cus_NffrFeUfNV2Hib")) == 2);
}

TEST_CASE("weft ingest stores every event of a file of large webhooks, written in several transactions") {
  // 40 lines of ~512 KiB: past the 16 MiB a batch may hold, so the back-fill commits twice.
  TempDir dir;
  std::string lines;
  const std::string blob(512 * 1024, 'x');
  for (int i = 0; i < 40; ++i) lines += R"({"user_id":"u)" + std::to_string(i) + R"(","blob":")" + blob + "\"}\n";
  const auto file = dir.write("large.jsonl", lines);
  const auto r = run_weft({"ingest", "--config", config_in(dir), "--source", "generic", file.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("  processed 40, duplicates 0, rejected 0, dropped 0, failed 0, suppressed 0, malformed lines 0\n") != std::string::npos);
  weft::SqliteStore store((dir.path() / "data/weft.db").string());
  for (int i = 0; i < 40; ++i) {
    INFO(i);
    const auto profile = store.find_identifier("generic", "u" + std::to_string(i));
    REQUIRE(profile);
    CHECK(store.count_events(*profile) == 1);
  }
}

TEST_CASE("weft ingest reports malformed lines by number, skips them, and exits 2") {
  TempDir dir;
  const auto file = dir.write("events.jsonl", "{\"user_id\":\"a\"}\n{\"user_id\": \n\n[1,2]\n{\"user_id\":\"b\"}\n");
  const auto r = run_weft({"ingest", "--config", config_in(dir), "--source", "generic", file.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == file.string() + ":2: malformed JSON, skipped: Invalid value. at byte 12\n");
  // [1,2] is valid JSON: wrapped as {"value": [1,2]}, it has no user_id and is rejected
  CHECK(r.out.find("  processed 2, duplicates 0, rejected 1, dropped 0, failed 0, suppressed 0, malformed lines 1\n") != std::string::npos);
}

TEST_CASE("weft ingest refuses an unknown source, a missing file and a bad command line") {
  TempDir dir;
  const std::string config = config_in(dir);
  auto r = run_weft({"ingest", "--config", config, "--source", "slak", samples + "slack.jsonl"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("weft ingest: unknown source 'slak' (did you mean 'slack'?)") == 0);
  r = run_weft({"ingest", "--config", config, "--source", "slack", "/nonexistent.jsonl"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "weft ingest: cannot read /nonexistent.jsonl\n");
  r = run_weft({"ingest", "--config", config, samples + "slack.jsonl"});
  CHECK(r.exit_code == 64);
  CHECK(r.err == "weft ingest: expected --source ID and one FILE (run `weft ingest --help`)\n");
  r = run_weft({"plugins", "--source", "slack"});
  CHECK(r.exit_code == 64);
}
