// SPEC 8's export through `weft export` while a server writes: on the store beside it and from
// the server (--url), the file is NDJSON that jq reads line by line, and it is one snapshot.
#include "served.hpp"

#include "run_process.hpp"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

using namespace weft::test;

namespace {

std::vector<std::string> file_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("export: weft export writes one snapshot as NDJSON while a server writes, on the store and through --url") {
  const std::string backend = GENERATE(from_range(store_backends()));
  const bool through_server = GENERATE(false, true);
  INFO("store backend " << backend << (through_server ? ", --url" : ", on the store"));
  Served s(backend);
  for (int i = 0; i < 200; ++i) REQUIRE(s.post("/collect/people", R"({"user":"U)" + std::to_string(i) + R"(","name":"v0"})").status == 200);

  // Step n makes the profile N<n>, then renames U<n % 200> to v<n>: at every instant there are
  // k new profiles, and the latest name is v<k> or v<k - 1>. (The profiles and their traits
  // come from one query, which sees one instant by itself; each profile's identifiers and
  // event count from queries of their own, which see one only in the export's snapshot.)
  std::atomic<bool> stop{false};
  std::atomic<int> steps{0};
  std::thread writer([&] {
    for (int n = 1; !stop && n < 100000; ++n) {
      s.post("/collect/people", R"({"user":"N)" + std::to_string(n) + R"("})");
      s.post("/collect/people", R"({"user":"U)" + std::to_string(n % 200) + R"(","name":"v)" + std::to_string(n) + R"("})");
      steps = n;
    }
  });
  while (steps < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto file = s.dir.path() / "profiles.ndjson";
  std::vector<std::string> args = {"export", "profiles", "--output", file.string(), "--config", (s.dir.path() / "weft.yaml").string()};
  if (through_server) args.insert(args.end(), {"--url", "http://127.0.0.1:" + std::to_string(s.server.port())});
  const auto exported = run_weft(args);
  const int steps_after = steps;
  stop = true;
  writer.join();
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(file.string() + ".partial"));

  const auto lines = file_lines(file);
  // jq reads every line as one profile
  const auto jq = run_process("/usr/bin/jq", {"-c", "select(type == \"object\" and has(\"id\") and has(\"identifiers\")) | .id", file.string()});
  REQUIRE(jq.exit_code == 0);
  CHECK(static_cast<std::size_t>(std::count(jq.out.begin(), jq.out.end(), '\n')) == lines.size());

  int new_profiles = 0, latest_name = 0, events = 0;
  std::set<std::string> ids;
  for (const std::string& line : lines) {
    ids.insert(json_member(line, "$.id"));
    events += std::stoi(json_member(line, "$.event_count"));
    const std::string user = json_member(line, "$.identifiers[0].value");
    if (user.rfind("N", 0) == 0) ++new_profiles;
    const std::string name = json_member(line, "$.traits.name");
    if (!name.empty()) latest_name = std::max(latest_name, std::stoi(name.substr(1)));
  }
  CHECK(ids.size() == lines.size());
  CHECK(lines.size() == 200 + static_cast<std::size_t>(new_profiles));
  INFO("new profiles " << new_profiles << ", latest name v" << latest_name << ", steps " << steps_after);
  CHECK(new_profiles >= 20);
  // One instant: the names are as old as the new profiles say, never older.
  CHECK((latest_name == new_profiles || latest_name == new_profiles - 1));
  // and every profile's events were counted at that instant too: 200 first events, one per
  // new profile, one per rename
  CHECK(events == 200 + new_profiles + latest_name);
  CHECK(new_profiles <= steps_after);
}

TEST_CASE("export: weft export refuses what it cannot do, with a reason") {
  for (const auto& args : std::vector<std::vector<std::string>>{{"export"},
                                                                 {"export", "people"},
                                                                 {"export", "profiles", "--since", "2026-01-01"},
                                                                 {"export", "events", "--since", "yesterday"},
                                                                 {"serve", "--output", "x"}}) {
    const auto r = run_weft(args);
    INFO(r.err);
    CHECK(r.exit_code == 64);
    CHECK_FALSE(r.err.empty());
  }
}

TEST_CASE("export: weft export --url keeps no file of an answer cut in the middle of a line") {
  // An answer cut after some lines: weft serve resets the connection then, which Poco's reader
  // reports; this one only closes it, at the end of a chunk, which Poco's reader takes for the
  // end of the body.
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::thread server([&] {
    Poco::Net::StreamSocket client = listener.acceptConnection();
    char request[4096];
    client.receiveBytes(request, sizeof request);
    const std::string answer =
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
        "1a\r\n{\"id\":\"p1\"}\n{\"id\":\"p2\",\"tr\r\n";
    client.sendBytes(answer.data(), static_cast<int>(answer.size()));
    client.shutdownSend();
    client.receiveBytes(request, sizeof request);  // until the client has gone
  });
  TempDir dir;
  const auto file = dir.path() / "profiles.ndjson";
  const auto r = run_weft({"export", "profiles", "--output", file.string(), "--url",
                           "http://127.0.0.1:" + std::to_string(listener.address().port())});
  server.join();
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("not whole") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(file));
  CHECK_FALSE(std::filesystem::exists(file.string() + ".partial"));
}
