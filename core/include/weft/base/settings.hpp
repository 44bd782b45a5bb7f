// The config file (SPEC 10), every key optional. Relative paths are relative to the file's
// folder, or to the working directory when there is no file.
#pragma once

#include "weft/base/diagnostic.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace weft {

// One address weft listens on: "HOST:PORT" or "http://HOST:PORT" serve HTTP,
// "https://HOST:PORT" TLS with the settings' certificate (SPEC 16); `routes: collect` serves
// only the webhooks and /healthz there (SPEC 8).
struct ListenAddress {
  enum class Routes { all, collect };
  std::string host_port;  // for Poco::Net::SocketAddress
  bool tls = false;
  Routes routes = Routes::all;
  std::string url(std::uint16_t port) const;  // "https://HOST:PORT" with the port actually bound
};

struct Settings {
  std::vector<ListenAddress> listen = {{"127.0.0.1:8686", false}};
  std::filesystem::path tls_certificate;  // PEM, the chain after the certificate; for https:// addresses
  std::filesystem::path tls_key;          // PEM
  std::string store;  // "sqlite:<absolute path>" or a postgresql:// URL
  std::vector<std::filesystem::path> plugin_dirs;
  std::filesystem::path workflows;
  std::filesystem::path destinations;  // SPEC 17: one YAML file per destination; may not exist
  std::size_t max_body_bytes = 1048576;
  std::size_t max_json_depth = 64;
  std::size_t max_items = 1000;  // events a split request may hold (SPEC 18)
  std::size_t queue = 10000;
  // Request bodies waiting for (or in) the committer, in bytes: the queue's memory, whatever
  // the size of the webhooks (each body is held a few times over as its parsed event).
  std::size_t queue_bytes = 256u << 20;
  std::size_t node_budget_ms = 100;  // a node slower than this is logged and counted
  std::string token_env;  // empty: the API needs no token
  // The base URL senders call (https://hooks.example.com), for the signature schemes that sign
  // the URL (SPEC 18: twilio, hubspot-v3, hmac with {url}); empty: none given.
  std::string public_url;
};

// The defaults, with `plugin_dir` as the plugin directory.
Settings default_settings(const std::filesystem::path& base, const std::filesystem::path& plugin_dir);

// Reads `file` over the defaults; problems are appended to `diagnostics`.
Settings load_settings(const std::filesystem::path& file, const std::filesystem::path& plugin_dir, std::vector<Diagnostic>& diagnostics);

}  // namespace weft
