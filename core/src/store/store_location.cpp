#include "weft/store/store_location.hpp"

#include <vector>

namespace weft {
namespace {

struct Span {
  std::size_t at, length;
};

// Where the passwords of `location` are: the userinfo's after ':' and each password= query
// value (libpq accepts both).
std::vector<Span> password_spans(std::string_view location) {
  std::vector<Span> spans;
  const std::size_t scheme = location.find("://");
  if (scheme == std::string_view::npos) return spans;
  const std::size_t start = scheme + 3;
  const std::size_t end = std::min(location.find('/', start), location.find('?', start));
  const std::size_t at = location.rfind('@', end == std::string_view::npos ? location.size() : end);
  if (at != std::string_view::npos && at >= start) {
    const std::size_t colon = location.find(':', start);
    if (colon != std::string_view::npos && colon < at) spans.push_back({colon + 1, at - colon - 1});
  }
  for (std::size_t q = location.find('?'); q != std::string_view::npos; q = location.find('&', q + 1)) {
    const std::size_t name = q + 1;
    if (location.compare(name, 9, "password=") != 0) continue;
    const std::size_t value = name + 9;
    const std::size_t stop = location.find('&', value);
    spans.push_back({value, (stop == std::string_view::npos ? location.size() : stop) - value});
  }
  return spans;
}

}  // namespace

std::string redacted_location(std::string_view location) {
  std::string out(location);
  const auto spans = password_spans(location);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) out.replace(it->at, it->length, "***");  // from the back: offsets hold
  return out;
}

std::string without_password(std::string message, std::string_view location) {
  for (const Span& span : password_spans(location)) {
    const std::string_view password = location.substr(span.at, span.length);
    if (password.empty()) continue;
    for (std::size_t at = message.find(password); at != std::string::npos; at = message.find(password, at + 3))
      message.replace(at, password.size(), "***");
  }
  return message;
}

}  // namespace weft
