// The read API (SPEC 8): profiles, their events and merges, events, sources, plugins, health
// and metrics.
#pragma once

#include "weft/serve/http/http_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

namespace weft::http {

class ApiHandler : public Poco::Net::HTTPRequestHandler {
public:
  explicit ApiHandler(HttpContext& context) : context_(context) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
  HttpContext& context_;
};

}  // namespace weft::http
