#include "export_routes.hpp"

#include "responses.hpp"

#include "weft/base/clock.hpp"
#include "weft/serve/ndjson_export.hpp"
#include "weft/serve/reader_pool.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>

namespace weft::http {
namespace {

std::optional<std::string> parameter(const Poco::URI::QueryParameters& query, const char* name) {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

}  // namespace

void export_route(HttpContext& context, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, const std::string& what,
                  const Poco::URI::QueryParameters& query) {
  const auto kind = export_kind(what);
  if (!kind) return send_error(response, 404, "not_found", "exports are /export/profiles and /export/events");
  ExportRequest export_request;
  export_request.kind = *kind;
  if (*kind == ExportRequest::Kind::events) {
    if (const auto text = parameter(query, "since")) {
      const auto since = parse_time(*text);
      if (!since) return send_error(response, 400, "bad_request", "'since' must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z, got '" + *text + "'");
      export_request.since = *since;
    }
    export_request.source = parameter(query, "source").value_or("");
  }
  auto store = context.readers->acquire();
  const ReadSnapshot snapshot(*store);
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("application/x-ndjson");
  response.setChunkedTransferEncoding(true);
  std::ostream& out = response.send();
  try {
    write_ndjson_export(*store, export_request, out);
  } catch (const StoreError& e) {
    Poco::Logger::get("weft.store").error("GET /export/" + what + ": " + e.what());
    // Reset the connection: the answer then ends without its last chunk, never as if whole.
    if (auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request)) {
      impl->socket().setLinger(true, 0);
      impl->socket().close();
    }
  }
}

}  // namespace weft::http
