// What of a request may be written to the log (SPEC 8: logs never hold identifier values,
// payloads or query strings).
#pragma once

#include <string>
#include <string_view>

namespace weft::http {

// A request's path fit for a log line (SPEC 8): without its query, and with every segment that
// may hold an identifier (TYPE:VALUE, an e-mail, anything percent-encoded) written as "*".
inline std::string loggable_path(std::string_view uri) {
  const std::string_view path = uri.substr(0, uri.find('?'));
  std::string out;
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t end = path.find('/', start + 1);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);  // with its leading '/'
    out += segment.find_first_of(":@%") == std::string_view::npos ? std::string(segment) : std::string("/*");
    start = end;
  }
  return out;
}

}  // namespace weft::http
