// The API's writes by an operator (SPEC 13): each parses its request, queues the operation to
// the committer and answers with its result.
#pragma once

#include "weft/serve/http/http_server.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <string>

namespace weft::http {

// POST /profiles/{id}/merge with {"profile": "<other id>", "reason": "...", "traits": "keep_survivor"|"most_recent"}.
void merge_profiles_route(HttpContext& context, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                          const std::string& profile_id);

// DELETE /blocked/{type}:{value}; `identifier` is the path's last segment, decoded.
void unblock_route(HttpContext& context, Poco::Net::HTTPServerResponse& response, const std::string& identifier);

// POST /profiles/{id}/rederive.
void rederive_route(HttpContext& context, Poco::Net::HTTPServerResponse& response, const std::string& profile_id);

// DELETE /profiles/{id}/identifiers/{type}:{value}[?block=true]; `identifier` is the decoded
// rest of the path.
void remove_identifier_route(HttpContext& context, Poco::Net::HTTPServerResponse& response, const std::string& profile_id,
                             const std::string& identifier, const Poco::URI::QueryParameters& query);

// DELETE /profiles/{id}[?suppress=false].
void erase_route(HttpContext& context, Poco::Net::HTTPServerResponse& response, const std::string& profile_id,
                 const Poco::URI::QueryParameters& query);

// POST /destinations/{id}/messages/{mid}/retry, /destinations/{id}/retry-failed,
// /destinations/{id}/enable and /disable (SPEC 17); `parts` is the path's segments.
void destination_action_route(HttpContext& context, Poco::Net::HTTPServerResponse& response, const std::vector<std::string>& parts);

}  // namespace weft::http
