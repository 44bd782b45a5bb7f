// weft's HTTP face (SPEC 7, 8): POST /collect/... for webhooks, the read API, /healthz,
// /metrics. Built on Poco::Net::HTTPServer; every answer that is not a success is the JSON
// error body of SPEC 7.
#pragma once

#include "weft/base/settings.hpp"
#include "weft/serve/committer.hpp"
#include "weft/serve/erasure_completion.hpp"
#include "weft/serve/metrics.hpp"
#include "weft/serve/metrics_history.hpp"
#include "weft/plugin/plugin_registry.hpp"
#include "weft/serve/reader_pool.hpp"
#include "weft/serve/live_workflows.hpp"
#include "weft/serve/reload.hpp"
#include "weft/serve/sources.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Net/HTTPServerParams.h>

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace weft {

class Dispatcher;

struct HttpLimits {
  std::size_t max_body_bytes = 1048576;
  std::size_t max_json_depth = 64;
  std::size_t max_items = 1000;
};

// Everything a request handler may use; outlives the server.
struct HttpContext {
  LiveWorkflows workflows;         // the plugins and sources, replaced as one by a reload
  Reloader* reloader = nullptr;    // POST /admin/reload; null: not offered
  Committer* committer = nullptr;
  ErasureCompletion* erasures = nullptr;  // completes erasures whose scrub failed (SPEC 14)
  Dispatcher* dispatcher = nullptr;       // delivers to destinations (SPEC 17); null: nothing is sent
  ReaderPool* readers = nullptr;
  Metrics* metrics = nullptr;
  const MetricsHistory* history = nullptr;  // GET /stats; null: not kept
  HttpLimits limits;
  std::optional<std::string> api_token;  // required by the API routes when set
  std::filesystem::path ui_dir;          // the web console's files; empty: not built
  std::atomic<bool> stopping{false};
};

// The server settings weft listens with (keep-alive, timeouts, threads); the benchmark's bare
// Poco ceiling uses the same.
Poco::Net::HTTPServerParams::Ptr http_server_params();
constexpr int http_min_threads = 4;
// One thread per open connection (Poco's model): enough that idle or slow clients cannot
// take them all; a thread costs little while it waits.
constexpr int http_max_threads = 1024;

class TlsCertificate;

class HttpServer {
public:
  // Binds every address (port 0 picks a free one); https:// ones serve TLS with `tls`, which
  // must then be given and outlive the server. Throws on failure, and std::invalid_argument
  // naming the address when one that is not loopback would serve the API with no token.
  HttpServer(HttpContext& context, const std::vector<ListenAddress>& listen, TlsCertificate* tls = nullptr);
  ~HttpServer();

  void start();
  // Stops accepting connections; requests in progress finish.
  void stop_accepting();
  // Waits for requests in progress to end.
  void stop();
  std::uint16_t port() const { return ports_.front(); }  // the first address's
  // "http://HOST:PORT" / "https://HOST:PORT" of each address, with the ports bound.
  const std::vector<std::string>& urls() const { return urls_; }

private:
  std::unique_ptr<Poco::ThreadPool> threads_;  // outlives the servers; shared by them
  std::vector<std::unique_ptr<Poco::Net::HTTPServer>> servers_;
  std::vector<std::uint16_t> ports_;
  std::vector<std::string> urls_;
};

}  // namespace weft
