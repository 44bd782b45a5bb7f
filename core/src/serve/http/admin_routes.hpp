// The API's administration (SPEC 16): reloading the workflows of the running server.
#pragma once

#include "weft/serve/http/http_server.hpp"

#include <Poco/Net/HTTPServerResponse.h>

#include <string>

namespace weft::http {

// POST /admin/reload: 200 {"sources": [...]}, or 422 {"error": "invalid_workflows", "message",
// "errors": [...]} with the running workflows left as they are.
void reload_route(HttpContext& context, Poco::Net::HTTPServerResponse& response);

// The last reload as JSON ({"at", "result", "errors"}), or null before the first.
std::string last_reload_json(const HttpContext& context);

}  // namespace weft::http
