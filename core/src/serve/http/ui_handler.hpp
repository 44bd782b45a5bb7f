// GET /ui/...: the web console's static files (index.html, app.js, app.css), from the folder
// the build (or the package) put them in. They hold no data: everything shown comes from the
// API, which the page calls with the token the user gives it, so they are served without one.
#pragma once

#include "weft/serve/http/http_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

namespace weft::http {

class UiHandler : public Poco::Net::HTTPRequestHandler {
public:
  explicit UiHandler(const HttpContext& context) : context_(context) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
  const HttpContext& context_;
};

}  // namespace weft::http
