// JSONPath micro-benchmark (issue 35): ns per evaluation of the paths a workflow reads per
// event, on the event document of a Slack event_callback. Built against any weft_core with
// JsonPath::parse and select (the singular path's figure is comparable across versions).
// Usage: jsonpath_bench [iterations] [path...]; prints "PATH ns_per_select=N" per path.
#include "weft/event/json.hpp"
#include "weft/event/jsonpath.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 5000000;
  std::vector<std::string> paths;
  for (int i = 2; i < argc; ++i) paths.emplace_back(argv[i]);
  if (paths.empty()) paths = {"$.payload.event.user", "$.payload['event']['user_profile']['email']"};
  const std::string json =
      R"({"id":"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","source":"slack","type":"message","received_at":"2026-12-07T03:00:00Z",)"
      R"("profile_id":null,"properties":{},"headers":{"content-type":"application/json"},"payload":{"token":"XXYYZZ",)"
      R"("team_id":"T061EG9R6","api_app_id":"A0PNCHHK2","event":{"type":"message","channel":"C024BE91L","user":"U2147483697",)"
      R"("text":"Live long and prospect.","ts":"1355517523.000005","event_ts":"1355517523.000005","channel_type":"channel",)"
      R"("user_profile":{"real_name":"Jane Doe","email":"jane@example.com"}},"type":"event_callback",)"
      R"("authed_teams":["T061EG9R6"],"event_id":"Ev0PV52K21","event_time":1355517523}})";
  rapidjson::Document doc;
  rapidjson::Value root;
  if (!weft::parse_json(json, root, doc.GetAllocator(), 64).ok) return 1;
  for (const std::string& text : paths) {
    const auto path = weft::JsonPath::parse(text);
    std::size_t found = 0;
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < iterations; ++i) found += path.select(root) != nullptr;
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / iterations;
    if (found != static_cast<std::size_t>(iterations)) return 2;  // every path selects a node
    std::printf("%s ns_per_select=%.1f\n", text.c_str(), ns);
  }
  return 0;
}
