// Two weft processes on one PostgreSQL database (SPEC 12): concurrent clients send events for
// the same new external ids and the same e-mails to both, while an operator re-derives the
// same people's profiles on one of them (SPEC 13). Afterwards each person is exactly one live
// profile, every event is stored once, and no client saw an error.
#include "server_process.hpp"
#include "skip.hpp"
#include "store_backends.hpp"
#include "test_workflows.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <map>
#include <random>
#include <set>

using namespace weft::test;

TEST_CASE("multi-process: two servers on one PostgreSQL database keep one profile per person") {
  const auto backends = store_backends();
  if (std::find(backends.begin(), backends.end(), "postgresql") == backends.end()) {
    skip_test("needs WEFT_TEST_POSTGRES (packaging/dev.sh test starts a server)");
    return;
  }
  TempDir a_dir, b_dir;
  const std::string store = fresh_store_location("postgresql", a_dir);
  auto a_options = test_serve_options(a_dir);
  a_options.store = store;
  auto b_options = test_serve_options(b_dir);
  b_options.store = store;
  ServerProcess a(a_dir, a_options);
  ServerProcess b(b_dir, b_options);

  constexpr int people = 20, clients = 8, per_client = 40;
  struct Sent {
    std::string event_id;
    int person;
    std::string problem;  // what went wrong, checked on the main thread (Catch2 is not thread-safe)
  };
  std::vector<std::future<std::vector<Sent>>> senders;
  for (int c = 0; c < clients; ++c)
    senders.push_back(std::async(std::launch::async, [&, c] {
      std::mt19937 random(1000 + c);
      std::vector<Sent> sent;
      for (int i = 0; i < per_client; ++i) {
        const int person = static_cast<int>(random() % people);
        const bool crm = random() % 2 == 0;
        const std::uint16_t port = random() % 2 ? a.port() : b.port();
        const std::string email = "p" + std::to_string(person) + "@example.com";
        const std::string key = "c" + std::to_string(c) + "-" + std::to_string(i);
        const auto r = crm ? http(port, "POST", "/collect/crm", R"({"user":"C)" + std::to_string(person) + R"(","email":")" + email + "\"}",
                                  "application/json", {{"X-Delivery", key}})
                           : http(port, "POST", "/collect/people",
                                  R"({"user":"U)" + std::to_string(person) + R"(","email":")" + email + R"(","event_id":")" + key + "\"}");
        const bool ok = r.status == 200 && json_member(r.body, "$.status") == "processed";
        sent.push_back({json_member(r.body, "$.event_id"), person, ok ? "" : std::to_string(r.status) + " " + r.body});
      }
      return sent;
    }));
  std::atomic<bool> sending{true};
  auto operator_thread = std::async(std::launch::async, [&] {
    std::vector<std::string> problems;
    int rederived = 0;
    for (int i = 0; sending; ++i) {
      const std::string email = "p" + std::to_string(i % people) + "@example.com";
      const auto found = http(a.port(), "GET", "/profiles?identifier=email:" + email);
      const std::string id = json_member(found.body, "$.profiles[0].id");
      if (id.empty()) continue;
      const auto r = http(b.port(), "POST", "/profiles/" + id + "/rederive");
      if (r.status == 200) ++rederived;
      else if (r.status != 404) problems.push_back(std::to_string(r.status) + " " + r.body);  // 404: merged away meanwhile
    }
    problems.push_back("rederived " + std::to_string(rederived));
    return problems;
  });
  std::map<int, int> events_of;
  std::set<std::string> ids;
  for (auto& s : senders)
    for (const Sent& sent : s.get()) {
      INFO(sent.problem);
      CHECK(sent.problem.empty());  // no client sees an error: conflicts are retried inside
      ++events_of[sent.person];
      ids.insert(sent.event_id);
    }
  sending = false;
  const auto operator_problems = operator_thread.get();
  for (std::size_t i = 0; i + 1 < operator_problems.size(); ++i) FAIL_CHECK("rederive: " << operator_problems[i]);
  WARN(operator_problems.back() << " profiles while the clients sent");
  REQUIRE(ids.size() == static_cast<std::size_t>(clients * per_client));  // every event got its own id

  std::set<std::string> profiles;
  int stored = 0;
  for (const auto& [person, count] : events_of) {
    INFO("person " << person);
    const std::string email = json_member(http(a.port(), "GET", "/profiles?identifier=email:p" + std::to_string(person) + "@example.com").body,
                                          "$.profiles[0].id");
    REQUIRE(email.size() == 36);
    for (const std::string& identifier : std::vector<std::string>{"people:U" + std::to_string(person), "crm:C" + std::to_string(person)}) {
      const auto r = http(b.port(), "GET", "/profiles?identifier=" + identifier);
      if (json_member(r.body, "$.profiles") != "[]") CHECK(json_member(r.body, "$.profiles[0].id") == email);
    }
    const auto profile = http(a.port(), "GET", "/profiles/" + email);
    CHECK(std::stoi(json_member(profile.body, "$.event_count")) == count);
    stored += std::stoi(json_member(profile.body, "$.event_count"));
    profiles.insert(email);
  }
  CHECK(profiles.size() == events_of.size());  // one live profile per person, none shared
  CHECK(stored == clients * per_client);       // nothing lost, nothing doubled
  for (const std::string& id : ids) REQUIRE(http(a.port(), "GET", "/events/" + id).status == 200);
  const auto retries = [](const std::string& metrics) {
    const auto at = metrics.find("\nweft_batch_retries_total ");
    return at == std::string::npos ? -1 : std::stoi(metrics.substr(at + std::string_view("\nweft_batch_retries_total ").size()));
  };
  WARN("batches retried after a conflict: " << retries(http(a.port(), "GET", "/metrics").body) << " + "
                                            << retries(http(b.port(), "GET", "/metrics").body));
}
