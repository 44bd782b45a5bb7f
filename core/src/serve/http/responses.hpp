// Small helpers every handler uses to answer.
#pragma once

#include "weft/serve/committer.hpp"

#include <Poco/Net/HTTPServerResponse.h>

#include <istream>
#include <string>
#include <string_view>

namespace weft::http {

inline void send(Poco::Net::HTTPServerResponse& response, int status, const std::string& body,
                 const std::string& content_type = "application/json") {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType(content_type);
  response.setContentLength64(static_cast<Poco::UInt64>(body.size()));
  response.send().write(body.data(), static_cast<std::streamsize>(body.size()));
}

// The request body, read until `limit` is passed (a longer result means: too large).
inline std::string read_body(std::istream& in, std::size_t limit) {
  std::string body;
  char buffer[16384];
  while (body.size() <= limit && in.read(buffer, sizeof buffer).gcount() > 0) body.append(buffer, static_cast<std::size_t>(in.gcount()));
  return body;
}

inline void send_error(Poco::Net::HTTPServerResponse& response, int status, std::string_view code, std::string_view message) {
  send(response, status, error_body(code, message));
}

}  // namespace weft::http
