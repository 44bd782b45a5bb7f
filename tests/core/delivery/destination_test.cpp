// Destination files (SPEC 17): defaults, every setting read, and each mistake a
// file:line:column error, including secrets and ${VARIABLES} that are not set.
#include "weft/delivery/destination.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

namespace {

using namespace std::chrono_literals;

struct Loaded {
  std::map<std::string, weft::Destination> destinations;
  std::vector<std::string> errors;  // "file:line:column: message" with the folder left out
};

Loaded load(const std::vector<std::pair<std::string, std::string>>& files) {
  weft::test::TempDir dir;
  for (const auto& [name, text] : files) std::ofstream(dir.path() / name) << text;
  const weft::EnvironmentLookup environment = [](const std::string& name) -> std::optional<std::string> {
    if (name == "CRM_SECRET") return "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    if (name == "CRM_TOKEN") return "t0ken";
    if (name == "BAD_SECRET") return "whsec_***";
    return std::nullopt;
  };
  std::vector<weft::Diagnostic> diagnostics;
  Loaded loaded;
  loaded.destinations = weft::load_destinations(dir.path(), environment, diagnostics);
  for (const auto& d : diagnostics) {
    std::string text = d.str();
    const std::string prefix = (dir.path() / "").string();
    for (std::size_t at; (at = text.find(prefix)) != std::string::npos;) text.erase(at, prefix.size());
    loaded.errors.push_back(text);
  }
  return loaded;
}

}  // namespace

TEST_CASE("a destination file: the defaults, and every setting read") {
  auto loaded = load({{"crm.yaml", "id: crm\nurl: https://crm.example.com/hooks/weft\n"},
                      {"full.yml",
                       "id: full\nurl: http://127.0.0.1:9000/in\nsigning: { secret_env: CRM_SECRET }\n"
                       "headers: { Authorization: \"Bearer ${CRM_TOKEN}\", X-Team: \"a-${CRM_TOKEN}-b\" }\n"
                       "subscribe: [profile.updated, profile.erased]\ntimeout: 500ms\nretry: [1s, 2m]\n"
                       "ordering: none\nmax_in_flight: 2\nrate: 600/m\ndisable_after: 2h\n"},
                      {"notes.txt", "not a destination"}});
  CHECK(loaded.errors == std::vector<std::string>{});
  REQUIRE(loaded.destinations.size() == 2);
  const weft::Destination& crm = loaded.destinations.at("crm");
  CHECK(crm.url == "https://crm.example.com/hooks/weft");
  CHECK(crm.signing_key.empty());
  CHECK(crm.timeout == 15s);
  CHECK(crm.retry == std::vector<std::chrono::milliseconds>{5s, 5min, 30min, 2h, 5h, 10h, 10h});
  CHECK(crm.per_profile_order);
  CHECK(crm.max_in_flight == 8);
  CHECK(crm.rate_per_second == 0);
  CHECK(crm.disable_after == 120h);
  const weft::Destination& full = loaded.destinations.at("full");
  CHECK(full.signing_key.size() == 24);  // whsec_ + base64: the decoded bytes
  CHECK(full.headers == std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer t0ken"}, {"X-Team", "a-t0ken-b"}});
  CHECK(full.subscribe == std::vector<std::string>{"profile.updated", "profile.erased"});
  CHECK(full.timeout == 500ms);
  CHECK(full.retry == std::vector<std::chrono::milliseconds>{1s, 2min});
  CHECK_FALSE(full.per_profile_order);
  CHECK(full.max_in_flight == 2);
  CHECK(full.rate_per_second == 10);
  CHECK(full.disable_after == 2h);
}

TEST_CASE("mistakes in a destination file are file:line:column errors, and the file is left out") {
  const auto loaded = load({{"a.yaml",
                             "id: Bad Id\nurl: ftp://x\nsigning: { secret_env: NOPE }\nheaders: { Webhook-Id: x, X-A: \"${MISSING}\" }\n"
                             "subscribe: [profile.updated, event.created, profile.updated]\ntimeout: soon\nretry: [5s, 0s]\n"
                             "ordering: random\nmax_in_flight: 0\nrate: fast\nretries: 3\n"},
                            {"b.yaml", "id: b\nurl: http://h/\nsigning: { secret_env: BAD_SECRET }\n"},
                            {"c.yaml", "url: [1]\n"},
                            {"d.yaml", "id: dup\nurl: http://h/\n"},
                            {"e.yaml", "id: dup\nurl: http://h/\n"},
                            {"f.yaml", "id: f\nurl: http://h/\n  bad: indent\n"}});
  CHECK(loaded.errors == std::vector<std::string>{
                             "a.yaml:11:1: unknown key 'retries' in a destination",
                             "a.yaml:1:5: invalid destination id 'Bad Id': expected 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit",
                             "a.yaml:2:6: 'url' must be an http:// or https:// URL with a host, found 'ftp://x'",
                             "a.yaml:3:24: 'signing.secret_env': the environment variable NOPE is not set",
                             "a.yaml:4:12: header 'Webhook-Id' is set by weft on every delivery and cannot be replaced",
                             "a.yaml:4:32: header 'X-A': the environment variable MISSING is not set",
                             "a.yaml:5:30: unknown profile change 'event.created': expected one of profile.created, profile.updated, profile.merged, profile.split, profile.erased",
                             "a.yaml:5:45: 'profile.updated' is subscribed twice",
                             "a.yaml:6:10: 'timeout' is a duration such as 500ms, 15s, 5m, 2h or 5d",
                             "a.yaml:7:13: a retry wait is a duration such as 5s, 5m or 2h",
                             "a.yaml:8:11: 'ordering' is per_profile or none",
                             "a.yaml:9:16: 'max_in_flight' is a whole number from 1 to 256",
                             "a.yaml:10:7: 'rate' is requests per time, such as 50/s, 600/m or 1000/h",
                             "b.yaml:3:24: 'signing.secret_env': BAD_SECRET holds no usable secret (whsec_ must be followed by base64)",
                             "c.yaml:1:1: missing required key 'id' (the destination's name, as `deliver` nodes name it)",
                             "c.yaml:1:6: 'url' must be an http:// or https:// URL with a host, found ''",
                             "e.yaml:1:5: destination id 'dup' is already defined in " + std::string("d.yaml:1:5"),
                             "f.yaml:3:6: YAML syntax error: illegal map value",
                         });
  CHECK(loaded.destinations.size() == 1);  // d.yaml's dup
}

TEST_CASE("a url that an HTTP client could not use is an error, not a failure at the first attempt") {
  const auto loaded = load({{"a.yaml", "id: a\nurl: http://127.0.0.1:${PORT}/in\n"},
                            {"b.yaml", "id: b\nurl: http://h:99999/\n"},
                            {"c.yaml", "id: c\nurl: \"http://h/a b\"\n"},
                            {"d.yaml", "id: d\nurl: https://h:8443/in?x=1\n"}});
  CHECK(loaded.errors == std::vector<std::string>{
                             "a.yaml:2:6: 'url' must be an http:// or https:// URL with a host, found 'http://127.0.0.1:${PORT}/in'",
                             "b.yaml:2:6: 'url' must be an http:// or https:// URL with a host, found 'http://h:99999/'",
                             "c.yaml:2:6: 'url' must be an http:// or https:// URL with a host, found 'http://h/a b'",
                         });
  CHECK(loaded.destinations.size() == 1);
}

TEST_CASE("durations are a whole number and a unit") {
  CHECK(weft::parse_duration("250ms") == 250ms);
  CHECK(weft::parse_duration("15s") == 15s);
  CHECK(weft::parse_duration("5m") == 5min);
  CHECK(weft::parse_duration("5d") == 120h);
  for (const char* bad : {"", "s", "5", "5 s", "1.5s", "-1s", "5w", "999999999999d"}) {
    INFO(bad);
    CHECK_FALSE(weft::parse_duration(bad));
  }
}
