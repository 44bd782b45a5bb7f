// Workflows the integration tests serve, written into a test's folder.
#pragma once

#include "server_process.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace weft::test {

inline const char* const slack_secret = "8f742231b10e8888abcd99yyyzzz85a5";
inline const char* const github_secret = "It's a Secret to Everybody";
inline const char* const stripe_secret = "whsec_test_secret";
inline const char* const shop_secret = "shopify-secret";

inline std::string write_test_workflows(const TempDir& dir) {
  const std::string people_nodes =
      "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n    on: { missing: reject }\n"
      "  - id: skip_tests\n    plugin: json_path_extractor\n    with: { path: $.payload.test, into: test }\n    on: { out: drop }\n"
      "  - id: group\n    plugin: profile_grouper\n"
      "  - id: traits\n    plugin: profile_updater\n    with: { set: { name: $.payload.name } }\n"
      "  - id: identify\n    plugin: email_identification_merger\n    with: { email: $.payload.email }\n";
  dir.write("flows/people.yaml", "id: people\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                 "    with: { event_type: $.payload.kind, idempotency_key: $.payload.event_id }\n" + people_nodes);
  dir.write("flows/crm.yaml", "id: crm\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                              "    with: { idempotency_key: 'header:X-Delivery' }\n" + people_nodes);
  dir.write("flows/slack.yaml", "id: slack\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                "    with:\n      handshake: slack\n"
                                "      signature: { scheme: slack, secret_env: TEST_SLACK_SECRET }\n" + people_nodes);
  dir.write("flows/github.yaml", "id: github\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                 "    with: { signature: { scheme: github, secret_env: TEST_GITHUB_SECRET } }\n");
  dir.write("flows/stripe.yaml", "id: stripe\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                 "    with: { signature: { scheme: stripe, secret_env: TEST_STRIPE_SECRET } }\n");
  dir.write("flows/shop.yaml", "id: shop\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                               "    with:\n      signature: { scheme: hmac-sha256, secret_env: TEST_SHOP_SECRET, "
                               "header: X-Shopify-Hmac-Sha256, encoding: base64 }\n");
  dir.write("flows/failing.yaml", "id: failing\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                  "    with: { idempotency_key: $.payload.event_id }\n"
                                  "  - id: extract\n    plugin: json_path_extractor\n    with: { path: $.payload.user }\n"
                                  "  - id: group\n    plugin: profile_grouper\n"
                                  "  - id: boom\n    plugin: throwing\n");
  dir.write("flows/headers.yaml", "id: headers\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                  "    with: { event_type: \"$.headers['x-kind']\" }\n");
  dir.write("flows/gated.yaml", "id: gated\nnodes:\n  - id: receive\n    plugin: webhook_trigger\n"
                                "  - id: wait\n    plugin: gate\n    with: { folder: " + (dir.path() / "gate").string() + " }\n");
  return (dir.path() / "flows").string();
}

inline ServeOptions test_serve_options(const TempDir& dir, const std::string& extra_config = "") {
  ServeOptions options;
  options.workflows = write_test_workflows(dir);
  options.plugin_dirs = {WEFT_PLUGIN_DIR, WEFT_FIXTURE_PLUGIN_DIR};
  options.extra_config = extra_config;
  options.env = {{"TEST_SLACK_SECRET", slack_secret},
                 {"TEST_GITHUB_SECRET", github_secret},
                 {"TEST_STRIPE_SECRET", stripe_secret},
                 {"TEST_SHOP_SECRET", shop_secret}};
  return options;
}

// Polls `done` until it holds, 20 s at most: a regression fails the test instead of hanging
// CI. Returns whether it held.
template <typename Done>
bool eventually_within(std::chrono::seconds limit, Done&& done) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}
template <typename Done>
bool eventually(Done&& done) {
  return eventually_within(std::chrono::seconds(20), std::forward<Done>(done));
}

// Posts an event to the `gated` source and returns its answer to come once the committer is
// inside the gate node, where it stays until release_gate(): a deterministic full committer.
inline std::future<HttpResponse> hold_committer_in_gate(const TempDir& dir, std::uint16_t port) {
  std::filesystem::create_directories(dir.path() / "gate");
  auto held = std::async(std::launch::async, [port] { return http(port, "POST", "/collect/gated", "{}"); });
  if (!eventually([&] { return std::filesystem::exists(dir.path() / "gate/entered"); }))
    throw std::runtime_error("the committer never reached the gate node within 20 s");
  return held;
}

inline void release_gate(const TempDir& dir) { std::ofstream(dir.path() / "gate/release") << "1"; }

// Waits until `n` of `clients` have their answer, 20 s at most (a server that answers fewer
// fails the test rather than hanging it); returns how many have.
template <typename T>
long wait_for_answers(std::vector<std::future<T>>& clients, long n) {
  const auto answered = [&] {
    return std::count_if(clients.begin(), clients.end(), [](auto& c) { return c.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
  };
  eventually([&] { return answered() >= n; });
  return answered();
}

}  // namespace weft::test
