#include "weft/serve/http/http_server.hpp"

#include "api_handler.hpp"
#include "collect_handler.hpp"
#include "responses.hpp"
#include "ui_handler.hpp"

#include "weft/serve/http/tls.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <stdexcept>

namespace weft {
namespace {

class NotFoundHandler : public Poco::Net::HTTPRequestHandler {
public:
  explicit NotFoundHandler(std::string path) : path_(std::move(path)) {}
  void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) override {
    http::send_error(response, 404, "not_found", "no route for " + path_);
  }

private:
  std::string path_;
};

class Router : public Poco::Net::HTTPRequestHandlerFactory {
public:
  Router(HttpContext& context, ListenAddress::Routes routes) : context_(context), routes_(routes) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override {
    const std::string& uri = request.getURI();
    const std::string path = uri.substr(0, uri.find('?'));
    if (path.rfind("/collect/", 0) == 0) {
      // /collect/{source} or /collect/{event_type}/{source}
      const std::string rest = path.substr(9);
      const std::size_t slash = rest.find('/');
      if (slash == std::string::npos) return new http::CollectHandler(context_, rest, std::nullopt);
      if (rest.find('/', slash + 1) == std::string::npos && slash > 0)
        return new http::CollectHandler(context_, rest.substr(slash + 1), rest.substr(0, slash));
      return new NotFoundHandler(path);
    }
    // A webhook-only address: nothing but the webhooks and the health check.
    if (routes_ == ListenAddress::Routes::collect && path != "/healthz") return new NotFoundHandler(path);
    if (path == "/ui" || path.rfind("/ui/", 0) == 0) return new http::UiHandler(context_);
    return new http::ApiHandler(context_);
  }

private:
  HttpContext& context_;
  ListenAddress::Routes routes_;
};

// The API (profiles, corrections, erasures) is never open to the network by default (SPEC 8).
void refuse_open_api(const ListenAddress& address, const Poco::Net::SocketAddress& where, const HttpContext& context) {
  if (address.routes == ListenAddress::Routes::collect || context.api_token || where.host().isLoopback()) return;
  throw std::invalid_argument(address.url(where.port()) +
                              " is not a loopback address and would serve the API (profiles, corrections, erasures) to the "
                              "network with no token: set api.token_env or routes: collect");
}

}  // namespace

Poco::Net::HTTPServerParams::Ptr http_server_params() {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(0);  // unlimited
  params->setKeepAliveTimeout(Poco::Timespan(5, 0));  // an idle connection gives its thread back soon
  params->setTimeout(Poco::Timespan(10, 0));          // per read or write
  params->setMaxQueued(1024);
  params->setMaxThreads(http_max_threads);
  return params;
}

HttpServer::HttpServer(HttpContext& context, const std::vector<ListenAddress>& listen, TlsCertificate* tls)
    // Threads of their own: a request holds one while it waits for its batch to commit.
    : threads_(std::make_unique<Poco::ThreadPool>(http_min_threads, http_max_threads, 60)) {
  if (listen.empty()) throw std::invalid_argument("no address to listen on");
  for (const ListenAddress& address : listen) refuse_open_api(address, Poco::Net::SocketAddress(address.host_port), context);
  for (const ListenAddress& address : listen) {
    const Poco::Net::SocketAddress where(address.host_port);
    if (address.tls && !tls) throw std::invalid_argument(address.url(where.port()) + " needs a TLS certificate");
    // A TLS connection's handshake happens in its own thread on its first read (Poco's lazy
    // handshake), under the same read timeout as any request: a client that opens TCP and never
    // speaks holds one thread for at most that long, and never the acceptor.
    // Bound without SO_REUSEPORT (Poco's ServerSocket(address) sets it with SO_REUSEADDR): a
    // second server on the same address must fail to start, not take half the webhooks.
    Poco::Net::ServerSocket socket = address.tls ? Poco::Net::SecureServerSocket(tls->context()) : Poco::Net::ServerSocket();
    socket.bind(where, true, false);
    socket.listen(256);
    ports_.push_back(socket.address().port());
    urls_.push_back(address.url(ports_.back()));
    servers_.push_back(std::make_unique<Poco::Net::HTTPServer>(new Router(context, address.routes), *threads_, socket, http_server_params()));
  }
}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  for (auto& server : servers_) server->start();
}
void HttpServer::stop_accepting() {
  for (auto& server : servers_) server->stop();
}
void HttpServer::stop() {
  for (auto& server : servers_) server->stopAll(false);
}

}  // namespace weft
