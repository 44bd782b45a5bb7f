// POST /collect/{source} and /collect/{event_type}/{source}: a webhook becomes an event.
#pragma once

#include "weft/serve/http/http_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

#include <optional>
#include <string>

namespace weft::http {

class CollectHandler : public Poco::Net::HTTPRequestHandler {
public:
  CollectHandler(HttpContext& context, std::string source, std::optional<std::string> path_type)
      : context_(context), source_(std::move(source)), path_type_(std::move(path_type)) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
  TriggeredEvent trigger(const Source& source, std::unique_ptr<EventDocument> event, int item) const;

  HttpContext& context_;
  std::string source_;
  std::optional<std::string> path_type_;
};

}  // namespace weft::http
