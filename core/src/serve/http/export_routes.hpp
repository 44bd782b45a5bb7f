// SPEC 8's export: every live profile, or the events received since a time, as NDJSON.
#pragma once

#include "weft/serve/http/http_server.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <string>

namespace weft::http {

// GET /export/profiles and GET /export/events?since=RFC3339&source=ID: one JSON document a line
// (profiles as GET /profiles/{id} shows them, events as GET /events/{id} without "trace"),
// from one snapshot of the store, streamed in chunks as it is read. A bad parameter is a 400
// before anything is sent; a store that fails once the answer has begun resets the connection
// (the answer then lacks its last chunk, so no client takes it as whole).
void export_route(HttpContext& context, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, const std::string& what,
                  const Poco::URI::QueryParameters& query);

}  // namespace weft::http
