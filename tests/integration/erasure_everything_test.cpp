// Erasure takes everything of the person (SPEC 14), not only what the live profile holds today:
// events that failed when re-derived, events of no profile that hold one of their identifier
// values, identifiers removed or blocked from them, and the operations log's reason and result.
// On SQLite the files are searched with the delta log decoded.
#include "dwal_contents.hpp"
#include "served.hpp"

#include "weft/base/uuid.hpp"
#include "weft/store/sqlite/sqlite.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace weft::test;

namespace {

const std::string signup_flow =
    "id: signup\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
    "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
    "  - id: group\n    plugin: profile_grouper\n"
    "  - id: identify\n    plugin: email_identification_merger\n    with: { email: $.payload.email }\n";

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Every byte of the store's files, the delta log decoded (its frames are deltas and LZ4).
std::string store_files(const TempDir& dir) {
  const auto db = dir.path() / "weft.db";
  return file_bytes(db) + file_bytes(db.string() + "-wal") + dwal_contents(file_bytes(db.string() + "-dwal"));
}

bool holds(const std::string& files, const std::string& secret) {
  const auto bytes = weft::uuid_bytes(secret);
  return files.find(secret) != std::string::npos ||
         (bytes && files.find(std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size())) != std::string::npos);
}

}  // namespace

TEST_CASE("erasure takes everything of the person: dead letters of a re-derivation, unattributed events, removed identifiers, operation reasons") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  Served s(backend);
  s.dir.write("flows/signup.yaml", signup_flow);
  REQUIRE(s.post("/admin/reload", "").status == 200);

  // Rita: a people event and a signup event joined by her e-mail, a second e-mail that an
  // operator removes, a third that an operator blocks, and a merge with a reason.
  s.post("/collect/people", R"({"user":"U7","email":"rita@erase.example","name":"Rita Marsupial-Zebra"})");
  const auto signup = s.post("/collect/signup", R"({"user":"S7","email":"rita@erase.example","note":"Wombat-Qwerty-8080"})");
  const std::string signup_event = json_member(signup.body, "$.event_id");
  s.post("/collect/people", R"({"user":"U7","email":"rita.old@erase.example"})");
  s.post("/collect/crm", R"({"user":"C7","email":"rita.blocked@erase.example"})");
  const std::string rita = s.holder("people:U7");
  const std::string crm_rita = s.holder("crm:C7");
  REQUIRE(!rita.empty());
  REQUIRE(s.holder("signup:S7") == rita);
  REQUIRE(s.post("/profiles/" + rita + "/merge", R"({"profile":")" + crm_rita + R"(","reason":"Rita asked by phone: Platypus-Reason-99"})").status == 200);
  REQUIRE(http(s.server.port(), "DELETE", "/profiles/" + rita + "/identifiers/email:rita.old@erase.example").status == 200);
  REQUIRE(http(s.server.port(), "DELETE", "/profiles/" + rita + "/identifiers/email:rita.blocked@erase.example?block=true").status == 200);
  REQUIRE(s.get("/blocked").body.find("rita.blocked@erase.example") != std::string::npos);

  // Events of no profile: the headers source stores events without grouping them.
  const auto form = s.post("/collect/headers", R"({"contact":"  Rita@Erase.Example ","note":"Numbat-Form-1234"})");
  const auto old_form = s.post("/collect/headers", R"({"contact":{"emails":["RITA.OLD@erase.example"]},"note":"Quoll-Old-5678"})");
  const auto other_form = s.post("/collect/headers", R"({"contact":"someone@keep.example","note":"Dingo-Keep-0000"})");
  REQUIRE(json_member(form.body, "$.profile_id") == "null");

  // The signup workflow now fails: a re-derivation turns Rita's signup event into a dead letter.
  s.dir.write("flows/signup.yaml", signup_flow + "  - id: boom\n    plugin: throwing\n");
  REQUIRE(s.post("/admin/reload", "").status == 200);
  REQUIRE(s.post("/profiles/" + rita + "/rederive", "").status == 200);
  REQUIRE(json_member(s.get("/events/" + signup_event).body, "$.status") == "failed");

  const std::string live = s.holder("people:U7");
  // Her name's search terms (folded: lower case) are in the files until the erasure.
  REQUIRE(json_member(s.get("/profiles?q=marsup").body, "$.profiles[0].id") == live);
  if (backend == "sqlite") REQUIRE(holds(store_files(s.dir), "marsupial"));
  const auto erased = s.erase("/profiles/" + live);
  INFO(erased.body);
  REQUIRE(erased.status == 200);
  CHECK(json_member(erased.body, "$.erased.unattributed_events") == "2");
  CHECK(s.get("/events/" + signup_event).status == 404);  // the dead letter
  CHECK(s.get("/events/" + json_member(form.body, "$.event_id")).status == 404);
  CHECK(s.get("/events/" + json_member(old_form.body, "$.event_id")).status == 404);
  CHECK(s.get("/events/" + json_member(other_form.body, "$.event_id")).status == 200);  // someone else's stays
  CHECK(s.get("/blocked").body.find("rita.blocked@erase.example") == std::string::npos);
  CHECK(json_member(s.get("/profiles?q=marsup").body, "$.profiles[0].id").empty());
  const std::string operations = s.get("/operations").body;
  CHECK(operations.find("Platypus-Reason-99") == std::string::npos);
  CHECK(operations.find(rita) == std::string::npos);
  CHECK(operations.find(crm_rita) == std::string::npos);
  // suppressed: removed and blocked identifiers too
  CHECK(json_member(s.post("/collect/people", R"({"user":"U99","email":"rita.old@erase.example"})").body, "$.status") == "suppressed");
  CHECK(json_member(s.post("/collect/people", R"({"user":"U98","email":"rita.blocked@erase.example"})").body, "$.status") == "suppressed");

  if (backend == "sqlite") {
    const std::string files = store_files(s.dir);
    for (const std::string secret : {"rita@erase.example", "Rita@Erase.Example", "rita.old@erase.example", "RITA.OLD@erase.example",
                                     "rita.blocked@erase.example", "Wombat-Qwerty-8080", "Numbat-Form-1234", "Quoll-Old-5678",
                                     "Platypus-Reason-99", "Marsupial-Zebra", "marsupial-zebra", "marsupial", rita.c_str(), crm_rita.c_str(),
                                     signup_event.c_str()}) {
      INFO("after the erasure: " << secret);
      CHECK_FALSE(holds(files, secret));
    }
    CHECK(holds(files, "Dingo-Keep-0000"));  // the search sees what stays
  }
}

TEST_CASE("erasure: a cut that cannot be done in time answers 503 erasure_incomplete, and is retried until GET /erasures says complete") {
  Served s("sqlite");
  s.post("/collect/people", R"({"user":"U5","email":"vera@erase.example","note":"Kiwi-Held-2222"})");
  const std::string vera = s.holder("people:U5");
  REQUIRE(!vera.empty());
  std::string erasures;
  {
    // A long reader beside the server holds a snapshot: the log cannot be cut past it.
    weft::SqliteDb reader((s.dir.path() / "weft.db").string());
    reader.exec("BEGIN");
    auto read = reader.prepare("SELECT count(*) FROM events");
    REQUIRE(read.step());
    const auto r = s.erase("/profiles/" + vera);
    INFO(r.body);
    CHECK(r.status == 503);
    CHECK(json_member(r.body, "$.error") == "erasure_incomplete");
    CHECK(s.get("/profiles/" + vera).status == 404);  // the erasure itself is committed
    erasures = s.get("/erasures").body;
    CHECK(json_member(erasures, "$.erasures[0].complete") == "false");
    CHECK(json_member(erasures, "$.erasures[0].events") == "1");
    read.reset();
    reader.exec("COMMIT");
  }
  // the reader is gone: weft cuts the log on its own, and says so
  CHECK(eventually([&] { return json_member(s.get("/erasures").body, "$.erasures[0].complete") == "true"; }));
  CHECK_FALSE(holds(store_files(s.dir), "Kiwi-Held-2222"));
  CHECK_FALSE(holds(store_files(s.dir), "vera@erase.example"));
  // and an erasure with nothing in its way is complete when answered
  s.post("/collect/people", R"({"user":"U6","email":"wim@erase.example"})");
  REQUIRE(s.erase("/profiles/" + s.holder("people:U6")).status == 200);
  CHECK(json_member(s.get("/erasures").body, "$.erasures[0].complete") == "true");
}
