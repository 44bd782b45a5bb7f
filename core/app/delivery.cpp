#include "delivery.hpp"

#include "weft/workflow/event_writer.hpp"

namespace weft::app {

std::unique_ptr<EventDocument> delivery_event(std::string_view source, std::string_view body, const Headers& headers, std::size_t max_depth,
                                              std::string& problem) {
  auto event = std::make_unique<EventDocument>();
  const JsonParseResult parsed = parse_json_payload(body, *event, max_depth);
  if (!parsed.ok) {
    problem = "the body is not valid JSON: " + parsed.message;
    return nullptr;
  }
  stamp_event(*event, source);
  for (const auto& [name, value] : headers) event->set_header(name, value);
  return event;
}

}  // namespace weft::app
