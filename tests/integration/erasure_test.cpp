// Erasure and suppression (SPEC 14) through the real server, on each store backend; on SQLite
// the database and WAL files are searched for the erased bytes (the delta log decoded).
#include "dwal_contents.hpp"
#include "served.hpp"

#include "weft/base/uuid.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

using namespace weft::test;

namespace {

// Jane, known to two systems, joined by her e-mail, with a second e-mail and a distinctive
// payload string; and Joe, who stays.
struct TwoPeople : Served {
  std::string jane, jane_crm, first_event;
  explicit TwoPeople(const std::string& backend) : Served(backend) {
    first_event = json_member(post("/collect/people", R"({"user":"U1","email":"jane@erase.example","name":"Jane","event_id":"k1",)"
                                                      R"("note":"Quokka-Zyxwvut-4711"})").body, "$.event_id");
    post("/collect/crm", R"({"user":"C1","email":"jane.work@erase.example"})");
    post("/collect/crm", R"({"user":"C1","email":"jane@erase.example"})");
    post("/collect/people", R"({"user":"U2","email":"joe@keep.example","name":"Joe"})");
    jane = holder("people:U1");
    jane_crm = json_member(get("/profiles/" + jane).body, "$.aliases[0]");
  }
};

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// How the SQLite store keeps a secret in its files: an id that is a UUID as its 16 bytes
// (SqliteStatement::bind_id), anything else as its text.
std::string stored_form(const std::string& secret) {
  const auto bytes = weft::uuid_bytes(secret);
  return bytes ? std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size()) : secret;
}

// Whether the files hold the secret in either form (an id may also be in JSON as text).
bool holds(const std::string& files, const std::string& secret) {
  return files.find(secret) != std::string::npos || files.find(stored_form(secret)) != std::string::npos;
}

}  // namespace

TEST_CASE("erasure: a person joined from two sources is deleted whole, answers 404, and is listed by counts only") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  TwoPeople s(backend);
  REQUIRE(s.jane == s.holder("crm:C1"));
  REQUIRE(!s.jane_crm.empty());

  const auto r = s.erase("/profiles/" + s.jane_crm);  // an alias erases the whole person
  REQUIRE(r.status == 200);
  CHECK(r.body == R"({"erased":{"profiles":2,"identifiers":4,"events":3,"merges":1,"unattributed_events":0,"messages":0}})");
  for (const std::string& id : {s.jane, s.jane_crm}) {
    CHECK(s.get("/profiles/" + id).status == 404);
    CHECK(s.get("/profiles/" + id + "/events").status == 404);
  }
  for (const char* identifier : {"people:U1", "crm:C1", "email:jane@erase.example", "email:jane.work@erase.example"})
    CHECK(s.holder(identifier).empty());
  CHECK(s.get("/events/" + s.first_event).status == 404);
  CHECK(!s.holder("people:U2").empty());  // Joe stays
  CHECK(s.erase("/profiles/" + s.jane).status == 404);

  const auto erasures = s.get("/erasures").body;
  CHECK(json_member(erasures, "$.erasures[0].profiles") == "2");
  CHECK(json_member(erasures, "$.erasures[0].events") == "3");
  CHECK(json_member(erasures, "$.erasures[0].merges") == "1");
  const auto log = s.get("/operations").body;
  CHECK(json_member(log, "$.operations[0].kind") == "erase");
  CHECK(json_member(log, "$.operations[0].profiles") == "[]");
  for (const std::string& secret : {s.jane, s.jane_crm, std::string("erase.example"), std::string("U1")}) {
    CHECK(erasures.find(secret) == std::string::npos);
    CHECK(log.find(secret) == std::string::npos);
  }
  const auto metrics = s.get("/metrics").body;
  CHECK(metrics.find(R"(weft_operations_total{kind="erase"} 1)") != std::string::npos);
  CHECK(metrics.find("\nweft_profiles 1\n") != std::string::npos);
}

TEST_CASE("erasure: suppressed identifiers keep the person out, through any source: ?suppress=false lets them back") {
  const std::string backend = GENERATE(from_range(store_backends()));
  INFO("store backend " << backend);
  TwoPeople s(backend);
  REQUIRE(s.erase("/profiles/" + s.jane).status == 200);

  // the same external id, another source's external id of hers, her e-mail with a new id
  for (const auto& [path, body] : std::vector<std::pair<std::string, std::string>>{
           {"/collect/people", R"({"user":"U1","name":"Jane again"})"},
           {"/collect/crm", R"({"user":"C1"})"},
           {"/collect/people", R"({"user":"U77","email":"jane.work@erase.example"})"}}) {
    INFO(path << " " << body);
    const auto r = s.post(path, body);
    CHECK(r.status == 200);
    CHECK(r.body == R"({"event_id":null,"profile_id":null,"status":"suppressed"})");
  }
  CHECK(s.holder("people:U1").empty());
  CHECK(s.holder("people:U77").empty());  // nothing of the suppressed event was stored
  const auto metrics = s.get("/metrics").body;
  CHECK(metrics.find(R"(weft_events_total{source="people",status="suppressed"} 2)") != std::string::npos);
  CHECK(metrics.find(R"(weft_events_total{source="crm",status="suppressed"} 1)") != std::string::npos);
  // a redelivery of an erased event: its key is known, its event gone
  const auto again = s.post("/collect/people", R"({"user":"U1","email":"jane@erase.example","name":"Jane","event_id":"k1"})");
  CHECK(again.body == R"({"event_id":null,"profile_id":null,"status":"erased","duplicate":true})");
  // someone else is untouched
  CHECK(json_member(s.post("/collect/people", R"({"user":"U2"})").body, "$.status") == "processed");

  // Joe asks to be erased but may come back as new
  const std::string joe = s.holder("people:U2");
  REQUIRE(s.erase("/profiles/" + joe + "?suppress=false").status == 200);
  CHECK(s.get("/profiles/" + joe).status == 404);
  const auto back = s.post("/collect/people", R"({"user":"U2","email":"joe@keep.example"})");
  CHECK(json_member(back.body, "$.status") == "processed");
  CHECK(json_member(back.body, "$.profile_id") != joe);
  CHECK(s.erase("/profiles/" + joe + "?suppress=maybe").status == 400);
  CHECK(http(s.server.port(), "PUT", "/profiles/" + joe).headers["allow"] == "GET, DELETE");
}

TEST_CASE("erasure: no byte of the erased person is left in the SQLite database or WAL files") {
  TwoPeople s("sqlite");
  const auto db = s.dir.path() / "weft.db";
  const auto files = [&] { return file_bytes(db) + file_bytes(db.string() + "-wal") + dwal_contents(file_bytes(db.string() + "-dwal")); };
  const std::vector<std::string> secrets = {"jane@erase.example", "jane.work@erase.example", "Quokka-Zyxwvut-4711", s.jane, s.jane_crm,
                                            s.first_event};
  {
    const std::string before = files();
    for (const std::string& secret : secrets) {
      INFO("before the erasure: " << secret);
      CHECK(before.find(stored_form(secret)) != std::string::npos);  // the search can fail
    }
  }
  REQUIRE(s.erase("/profiles/" + s.jane).status == 200);
  const std::string after = files();
  for (const std::string& secret : secrets) {
    INFO("after the erasure: " << secret);
    CHECK_FALSE(holds(after, secret));
  }
  CHECK(after.find("joe@keep.example") != std::string::npos);  // the search still sees what stays
}

TEST_CASE("erasure: while other events keep arriving, the answer still comes after the erased bytes left the files") {
  TwoPeople s("sqlite");
  const auto db = s.dir.path() / "weft.db";
  const auto files = [&] { return file_bytes(db) + file_bytes(db.string() + "-wal") + dwal_contents(file_bytes(db.string() + "-dwal")); };
  // The writer goes on committing during the scrub and cuts the log itself at its next
  // transaction (sqlite_checkpointer.hpp): a stream of other people's events makes it do so.
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0}, stored{0};
  std::thread others([&] {
    for (int i = 0; i < 5000 && !stop; ++i, ++sent)
      if (json_member(s.post("/collect/people", R"({"user":"V)" + std::to_string(i) + R"(","name":"Other"})").body, "$.status") ==
          "processed")
        ++stored;
  });
  while (sent < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto answer = s.erase("/profiles/" + s.jane);
  const std::string after = files();
  stop = true;
  others.join();
  REQUIRE(answer.status == 200);
  CHECK(stored == sent);  // none of the others' events was refused or lost meanwhile
  for (const std::string& secret : {std::string("jane@erase.example"), std::string("Quokka-Zyxwvut-4711"), s.jane, s.first_event}) {
    INFO("after the erasure: " << secret);
    CHECK_FALSE(holds(after, secret));
  }
  CHECK(after.find("joe@keep.example") != std::string::npos);
}
