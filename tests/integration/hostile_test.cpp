// Hostile and faulty input (issue 7): oversized headers, invalid UTF-8 in headers, slow
// plugins; the server keeps answering and stays consistent.
#include "server_process.hpp"
#include "test_workflows.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>
#include <vector>

using namespace weft::test;

TEST_CASE("hostile: an oversized header is refused and the server keeps answering") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir));
  // Just over Poco's 8 KiB limit for a header value: the server reads the whole request, so
  // its 400 reaches the client every time.
  const auto r = http(server.port(), "POST", "/collect/people", R"({"user":"U1"})", "application/json",
                      {{"X-Padding", std::string(9000, 'a')}});
  CHECK(r.status == 400);
  // 100 KB: the server answers 400 as soon as the limit is passed and closes; the ~90 KB it
  // never read make the kernel reset the connection, and the reset may reach the client before
  // the answer. Either way the request is refused.
  int status = 0;
  try {
    status = http(server.port(), "POST", "/collect/people", R"({"user":"U2"})", "application/json",
                  {{"X-Padding", std::string(100000, 'a')}})
                 .status;
  } catch (const Poco::Exception&) {
    status = -1;  // reset before the 400 arrived
  }
  CHECK((status == 400 || status == -1));
  CHECK(http(server.port(), "GET", "/healthz").status == 200);
  for (const char* user : {"U1", "U2"})
    CHECK(json_member(http(server.port(), "GET", std::string("/profiles?identifier=people:") + user).body, "$.profiles") == "[]");
}

TEST_CASE("hostile: header values that are not UTF-8 never reach the event") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir));
  const auto r = http(server.port(), "POST", "/collect/headers", "{}", "application/json", {{"X-Kind", "\xff\xfe broken"}});
  REQUIRE(r.status == 200);
  const auto event = http(server.port(), "GET", "/events/" + json_member(r.body, "$.event_id"));
  CHECK(event.status == 200);
  CHECK(json_member(event.body, "$.type") == "webhook");  // the header was left out, so event_type fell back
  const auto ok = http(server.port(), "POST", "/collect/headers", "{}", "application/json", {{"X-Kind", "signup"}});
  CHECK(json_member(http(server.port(), "GET", "/events/" + json_member(ok.body, "$.event_id")).body, "$.type") == "signup");
}

TEST_CASE("hostile: ids that are not UTF-8, raw, escaped or form-encoded, are refused with 400 invalid_body and store nothing") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir));
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"{\"user\":\"U\xff\xfe\"}", "application/json"},           // raw bytes that are not UTF-8
      {"{\"user\":\"U\xc0\xaf\"}", "application/json"},           // an overlong encoding
      {R"({"user":"U\ud800"})", "application/json"},                 // an escaped lone surrogate
      {"user=U%ff%fe", "application/x-www-form-urlencoded"},          // percent-encoded garbage
  };
  for (const auto& [body, type] : bodies) {
    INFO(type << " body " << body);
    const auto r = http(server.port(), "POST", "/collect/people", body, type);
    CHECK(r.status == 400);
    CHECK(json_member(r.body, "$.error") == "invalid_body");  // SPEC 7
    // where: the byte of the JSON, or the form field
    const std::string message = json_member(r.body, "$.message");
    CHECK((message.find("at byte") != std::string::npos || message.find("form field 'user' is not valid UTF-8") != std::string::npos));
  }
  CHECK(http(server.port(), "GET", "/healthz").status == 200);
  CHECK(http(server.port(), "GET", "/metrics").body.find("weft_events_total{source=\"people\"") == std::string::npos);
  // a valid non-ASCII id goes through untouched
  const auto ok = http(server.port(), "POST", "/collect/people", R"({"user":"Jürgen-✓"})");
  REQUIRE(ok.status == 200);
  CHECK(json_member(http(server.port(), "GET", "/profiles?identifier=people:J%C3%BCrgen-%E2%9C%93").body, "$.profiles[0].id") ==
        json_member(ok.body, "$.profile_id"));
}

TEST_CASE("plugin faults: a node slower than its budget is logged and counted, and the event still goes through") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir, "limits: { node_budget_ms: 1 }\n"));
  auto held = hold_committer_in_gate(dir, server.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the gate node now runs for at least 20 ms
  release_gate(dir);
  CHECK(held.get().status == 200);
  CHECK(http(server.port(), "GET", "/metrics").body.find("weft_node_slow_total{node=\"wait\",workflow=\"gated\"} 1") != std::string::npos);
  // (the log line reaches the test through a pipe, maybe after the answer)
  CHECK(eventually([&] { return server.output().find("gated/wait (gate) took") != std::string::npos; }));
  CHECK(server.output().find("over its budget of 1 ms") != std::string::npos);
}

TEST_CASE("secrets: a signing secret never appears in logs, answers or stored events") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir));
  const auto wrong = http(server.port(), "POST", "/collect/slack", R"({"user":"U1"})", "application/json",
                          {{"X-Slack-Request-Timestamp", "1"}, {"X-Slack-Signature", "v0=00"}});
  CHECK(wrong.status == 401);
  CHECK(wrong.body.find(slack_secret) == std::string::npos);
  const auto sources = http(server.port(), "GET", "/sources");
  CHECK(sources.body.find(slack_secret) == std::string::npos);
  server.signal(SIGTERM);
  server.wait();
  CHECK(server.output().find(slack_secret) == std::string::npos);
  std::ifstream db(dir.path() / "weft.db", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
  CHECK(bytes.find(slack_secret) == std::string::npos);
}

TEST_CASE("hostile: idle connections and clients that send a byte at a time do not stop /healthz") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir));
  std::vector<std::unique_ptr<Poco::Net::StreamSocket>> idle;
  for (int i = 0; i < 300; ++i) {
    idle.push_back(std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress("127.0.0.1", server.port())));
    static const std::string half = "POST /collect/people HTTP/1.1\r\nContent-Length: 1000\r\n";
    if (i % 2) idle.back()->sendBytes(half.data(), static_cast<int>(half.size()));  // a slow request, half sent
  }
  // The server starts a thread per accepted connection (Poco's pool grows on demand): the first
  // request waits behind 300 thread starts, which on a loaded sanitizer build took over a
  // second now and then. It must answer; the timed rounds below are the steady state.
  CHECK(http(server.port(), "GET", "/healthz").status == 200);
  for (int round = 0; round < 3; ++round) {
    const auto started = std::chrono::steady_clock::now();
    const auto health = http(server.port(), "GET", "/healthz");
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(health.status == 200);
    CHECK(took < std::chrono::seconds(1));
    for (std::size_t i = 1; i < idle.size(); i += 2) idle[i]->sendBytes("x", 1);  // one more byte each
  }
  CHECK(http(server.port(), "POST", "/collect/people", R"({"user":"U1"})").status == 200);
}

namespace {

struct FloodResult {
  std::string user;
  int status = 0;
  std::string event_id;
  bool retry_after = false;
};

FloodResult post_person(std::uint16_t port, const std::string& user) {
  const auto r = http(port, "POST", "/collect/people", R"({"user":")" + user + R"(","email":")" + user + R"(@example.com"})");
  return {user, r.status, r.status == 200 ? json_member(r.body, "$.event_id") : "", r.headers.count("retry-after") == 1};
}

// The same, with the body padded to exactly `size` bytes.
FloodResult post_padded_person(std::uint16_t port, const std::string& user, std::size_t size) {
  const std::string head = R"({"user":")" + user + R"(","email":")" + user + R"(@example.com","pad":")";
  const std::string body = head + std::string(size - head.size() - 2, 'x') + "\"}";
  const auto r = http(port, "POST", "/collect/people", body);
  return {user, r.status, r.status == 200 ? json_member(r.body, "$.event_id") : "", r.headers.count("retry-after") == 1};
}

// Every acknowledged event is stored with its profile; every refused one left nothing.
void check_outcomes(std::uint16_t port, const std::vector<FloodResult>& results) {
  for (const FloodResult& r : results) {
    INFO("user " << r.user << " answered " << r.status);
    REQUIRE((r.status == 200 || r.status == 429));
    const auto profiles = http(port, "GET", "/profiles?identifier=people:" + r.user);
    if (r.status == 200) {
      const auto event = http(port, "GET", "/events/" + r.event_id);
      REQUIRE(event.status == 200);
      CHECK(json_member(event.body, "$.profile_id") == json_member(profiles.body, "$.profiles[0].id"));
    } else {
      CHECK(r.retry_after);
      CHECK(json_member(profiles.body, "$.profiles") == "[]");
    }
  }
}

}  // namespace

TEST_CASE("hostile: bodies past limits.queue_bytes are refused with 429 while the queue has room for more events") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir, "limits: { queue: 100, queue_bytes: 65536 }\n"));
  // The committer is held in the gate with a 2-byte body; of 12 concurrent 10,000-byte bodies
  // exactly 6 fit in the remaining 65,534 bytes, and 6 are refused at once.
  auto gated = hold_committer_in_gate(dir, server.port());
  std::vector<std::future<FloodResult>> clients;
  for (int i = 0; i < 12; ++i)
    clients.push_back(std::async(std::launch::async, [&, i] { return post_padded_person(server.port(), "big" + std::to_string(i), 10000); }));
  CHECK(wait_for_answers(clients, 6) == 6);
  CHECK(http(server.port(), "GET", "/metrics").body.find("weft_ingest_queue_depth 6") != std::string::npos);
  release_gate(dir);
  REQUIRE(gated.get().status == 200);
  std::vector<FloodResult> held;
  for (auto& c : clients) held.push_back(c.get());
  CHECK(std::count_if(held.begin(), held.end(), [](const FloodResult& r) { return r.status == 200; }) == 6);
  CHECK(std::count_if(held.begin(), held.end(), [](const FloodResult& r) { return r.status == 429 && r.retry_after; }) == 6);
  check_outcomes(server.port(), held);
  // once the batch is answered its bytes are free again
  CHECK(post_padded_person(server.port(), "after", 10000).status == 200);
}

TEST_CASE("hostile: a flood past the queue is refused with 429, and everything acknowledged is stored") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir, "limits: { queue: 16 }\n"));

  // Deterministic part: the committer is held in the gate, so of 48 concurrent clients exactly
  // 16 fit in the queue and 32 are refused at once.
  auto gated = hold_committer_in_gate(dir, server.port());
  std::vector<std::future<FloodResult>> clients;
  for (int i = 0; i < 48; ++i)
    clients.push_back(std::async(std::launch::async, [&, i] { return post_person(server.port(), "held" + std::to_string(i)); }));
  // the refusals come back while the queue is still full (all 48 must have been answered or
  // queued before the gate opens); /healthz answers meanwhile
  CHECK(wait_for_answers(clients, 32) == 32);
  CHECK(http(server.port(), "GET", "/metrics").body.find("weft_ingest_queue_depth 16") != std::string::npos);
  const auto asked = std::chrono::steady_clock::now();
  CHECK(http(server.port(), "GET", "/healthz").status == 200);
  CHECK(std::chrono::steady_clock::now() - asked < std::chrono::seconds(1));
  release_gate(dir);
  REQUIRE(gated.get().status == 200);
  std::vector<FloodResult> held;
  for (auto& c : clients) held.push_back(c.get());
  CHECK(std::count_if(held.begin(), held.end(), [](const FloodResult& r) { return r.status == 200; }) == 16);
  CHECK(std::count_if(held.begin(), held.end(), [](const FloodResult& r) { return r.status == 429; }) == 32);
  check_outcomes(server.port(), held);

  // Free-running part: 32 clients send 25 events each as fast as they can into the queue of
  // 16. How many are refused depends on the machine; every answer must be 200 or 429, and
  // the store must agree with the answers.
  std::vector<std::future<std::vector<FloodResult>>> senders;
  for (int t = 0; t < 32; ++t)
    senders.push_back(std::async(std::launch::async, [&, t] {
      std::vector<FloodResult> answers;
      for (int i = 0; i < 25; ++i) answers.push_back(post_person(server.port(), "flood" + std::to_string(t) + "x" + std::to_string(i)));
      return answers;
    }));
  std::vector<FloodResult> flood;
  for (auto& s : senders)
    for (FloodResult& r : s.get()) flood.push_back(std::move(r));
  REQUIRE(flood.size() == 800);
  const auto acknowledged = std::count_if(flood.begin(), flood.end(), [](const FloodResult& r) { return r.status == 200; });
  WARN("flood: 800 events from 32 clients, " << acknowledged << " acknowledged, " << 800 - acknowledged << " refused with 429");
  check_outcomes(server.port(), flood);
  CHECK(http(server.port(), "GET", "/healthz").status == 200);
}
