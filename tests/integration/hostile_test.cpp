// Hostile and faulty input (issue 7): oversized headers, invalid UTF-8 in headers, slow
// plugins; the server keeps answering and stays consistent.
#include "server_process.hpp"
#include "test_workflows.hpp"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

using namespace weft::test;

TEST_CASE("hostile: an oversized header is refused and the server keeps answering") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir));
  const auto r = http(server.port(), "POST", "/collect/people", R"({"user":"U1"})", "application/json",
                      {{"X-Padding", std::string(100000, 'a')}});
  CHECK(r.status == 400);
  CHECK(http(server.port(), "GET", "/healthz").status == 200);
  CHECK(json_member(http(server.port(), "GET", "/profiles?identifier=people:U1").body, "$.profiles") == "[]");
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

TEST_CASE("plugin faults: a node slower than its budget is logged and counted, and the event still goes through") {
  TempDir dir;
  ServerProcess server(dir, test_serve_options(dir, "limits: { node_budget_ms: 1 }\n"));
  std::filesystem::create_directories(dir.path() / "gate");
  auto held = std::async(std::launch::async, [&] { return http(server.port(), "POST", "/collect/gated", "{}"); });
  while (!std::filesystem::exists(dir.path() / "gate/entered")) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the gate node now runs for at least 20 ms
  std::ofstream(dir.path() / "gate/release") << "1";
  CHECK(held.get().status == 200);
  CHECK(http(server.port(), "GET", "/metrics").body.find("weft_node_slow_total{node=\"wait\",workflow=\"gated\"} 1") != std::string::npos);
  CHECK(server.output().find("gated/wait (gate) took") != std::string::npos);
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
