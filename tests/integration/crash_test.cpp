// Crash safety (issue 7): clients send at full speed while the server is killed with SIGKILL
// at five random moments and restarted; afterwards every acknowledged event is there with its
// effects, and SQLite's integrity check passes. Kill moments are seeded (WEFT_CRASH_SEED).
#include "weft/store/sqlite/sqlite.hpp"

#include "server_process.hpp"
#include "test_workflows.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <future>
#include <mutex>
#include <random>

using namespace weft::test;

namespace {

struct Ack {
  std::string event_id;
  std::string source;
  std::string user;
  std::string email;
};

}  // namespace

TEST_CASE("crash safety: five SIGKILLs under load lose no acknowledged event") {
  TempDir dir;
  const auto options = test_serve_options(dir);
  const char* seed_text = std::getenv("WEFT_CRASH_SEED");
  std::mt19937 random(seed_text ? static_cast<unsigned>(std::atoi(seed_text)) : 7u);

  std::atomic<std::uint16_t> port{0};
  std::atomic<bool> done{false};
  std::mutex mutex;
  std::vector<Ack> acks;
  std::atomic<int> refused{0};
  std::vector<std::future<void>> clients;
  for (int c = 0; c < 4; ++c)
    clients.push_back(std::async(std::launch::async, [&, c] {
      std::mt19937 mine(100 + c);
      for (int i = 0; !done; ++i) {
        const std::uint16_t p = port;
        if (p == 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          continue;
        }
        const int person = static_cast<int>(mine() % 30);
        const std::string source = mine() % 2 ? "people" : "crm";
        const std::string user = (source == "people" ? "U" : "C") + std::to_string(person);
        const std::string email = "p" + std::to_string(person) + "@example.com";
        const std::string key = "k" + std::to_string(c) + "-" + std::to_string(i);
        try {
          const auto r = http(p, "POST", "/collect/" + source,
                              R"({"user":")" + user + R"(","email":")" + email + R"(","event_id":")" + key + "\"}", "application/json",
                              {{"X-Delivery", key}});
          if (r.status == 200 && json_member(r.body, "$.status") == "processed") {
            std::lock_guard lock(mutex);
            acks.push_back({json_member(r.body, "$.event_id"), source, user, email});
          }
        } catch (const std::exception&) {
          ++refused;  // the server is down: not acknowledged, nothing promised
        }
      }
    }));

  for (int round = 0; round < 5; ++round) {
    ServerProcess server(dir, options);
    port = server.port();
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + random() % 600));
    port = 0;
    server.signal(SIGKILL);
    server.wait();
  }
  done = true;
  for (auto& c : clients) c.get();

  ServerProcess server(dir, options);
  INFO(acks.size() << " acknowledged, " << refused << " refused while down");
  REQUIRE(acks.size() > 50);
  for (const Ack& ack : acks) {
    INFO("event " << ack.event_id << " from " << ack.source << ":" << ack.user);
    const auto event = http(server.port(), "GET", "/events/" + ack.event_id);
    REQUIRE(event.status == 200);
    const std::string profile = json_member(event.body, "$.profile_id");
    // its effects: the profile is live and holds the event's external id and e-mail
    REQUIRE(json_member(http(server.port(), "GET", "/profiles/" + profile).body, "$.id") == profile);
    REQUIRE(json_member(http(server.port(), "GET", "/profiles?identifier=" + ack.source + ":" + ack.user).body, "$.profiles[0].id") == profile);
    REQUIRE(json_member(http(server.port(), "GET", "/profiles?identifier=email:" + ack.email).body, "$.profiles[0].id") == profile);
  }
  server.signal(SIGTERM);
  server.wait();
  weft::SqliteDb db((dir.path() / "weft.db").string());
  auto check = db.prepare("PRAGMA integrity_check");
  REQUIRE(check.step());
  CHECK(check.text(0) == "ok");
}
