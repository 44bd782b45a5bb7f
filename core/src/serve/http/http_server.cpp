#include "weft/serve/http/http_server.hpp"

#include "api_handler.hpp"
#include "collect_handler.hpp"
#include "responses.hpp"
#include "ui_handler.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

namespace weft {
namespace {

class NotFoundHandler : public Poco::Net::HTTPRequestHandler {
public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    http::send_error(response, 404, "not_found", "no route for " + request.getURI());
  }
};

class Router : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit Router(HttpContext& context) : context_(context) {}

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
      return new NotFoundHandler;
    }
    if (path == "/ui" || path.rfind("/ui/", 0) == 0) return new http::UiHandler(context_);
    return new http::ApiHandler(context_);
  }

private:
  HttpContext& context_;
};

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

HttpServer::HttpServer(HttpContext& context, const std::string& listen)
    // Threads of their own: a request holds one while it waits for its batch to commit.
    : threads_(std::make_unique<Poco::ThreadPool>(http_min_threads, http_max_threads, 60)) {
  Poco::Net::ServerSocket socket{Poco::Net::SocketAddress(listen), 256};
  port_ = socket.address().port();
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Router(context), *threads_, socket, http_server_params());
}

HttpServer::~HttpServer() = default;

void HttpServer::start() { server_->start(); }
void HttpServer::stop_accepting() { server_->stop(); }
void HttpServer::stop() { server_->stopAll(false); }

}  // namespace weft
