// A destination (SPEC 17): an HTTP endpoint weft delivers messages to, read from a YAML file
// of the destinations folder. Loading validates everything a delivery will need, so that a
// mistake is a `file:line:column` error at start-up, never a message that cannot be sent.
#pragma once

#include "weft/workflow/delivery_routing.hpp"

#include "weft/base/diagnostic.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace weft {

struct Destination {
  std::string id;
  std::string file;
  std::string url;      // http:// or https://
  std::string ca_file;  // tls.ca_file: certificates to verify the endpoint with (empty: the system's)
  std::string signing_key;  // the Standard Webhooks HMAC key, decoded; empty: requests are unsigned
  std::vector<std::pair<std::string, std::string>> headers;  // ${VAR} replaced
  std::vector<std::string> subscribe;                         // profile changes: profile.created, ...
  std::chrono::milliseconds timeout{std::chrono::seconds(15)};
  // The wait before each attempt after the first: N entries, N + 1 attempts.
  std::vector<std::chrono::milliseconds> retry;
  bool per_profile_order = true;  // ordering: per_profile (else none)
  int max_in_flight = 8;
  double rate_per_second = 0;  // 0: no limit
  std::chrono::milliseconds disable_after{std::chrono::hours(24 * 5)};
};

// Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
std::vector<std::chrono::milliseconds> default_retry_schedule();

// The profile changes a destination may subscribe to.
const std::vector<std::string>& profile_change_types();

// "250ms", "15s", "5m", "2h", "5d" (a whole number and a unit); nullopt for anything else.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// Where ${VAR} in a header and a signing secret's variable come from (the process environment
// in weft; tests pass their own).
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvironmentLookup process_environment();

// Every *.yaml and *.yml file in `folder`, by id (a missing folder holds none). Problems are
// appended to `diagnostics`; a file with any is left out.
std::map<std::string, Destination> load_destinations(const std::filesystem::path& folder, const EnvironmentLookup& environment,
                                                     std::vector<Diagnostic>& diagnostics);

// What the workflows and the writer need of a set of destinations: their ids and subscriptions.
std::shared_ptr<const DeliveryRouting> routing_of(const std::map<std::string, Destination>& destinations);

}  // namespace weft
