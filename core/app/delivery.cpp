#include "delivery.hpp"

#include "weft/event/form.hpp"
#include "weft/workflow/event_writer.hpp"
#include "weft/workflow/split_request.hpp"

namespace weft::app {
namespace {

bool is_form(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower == "content-type") return value.rfind("application/x-www-form-urlencoded", 0) == 0;
  }
  return false;
}

}  // namespace

std::vector<std::unique_ptr<EventDocument>> delivery_events(const Workflow& workflow, std::string_view body, const Headers& headers,
                                                            std::size_t max_depth, std::size_t max_items, std::string& problem) {
  std::vector<std::unique_ptr<EventDocument>> events;
  auto event = std::make_unique<EventDocument>();
  if (is_form(headers)) {
    if (const std::string wrong = parse_form(body, event->payload(), event->allocator()); !wrong.empty()) {
      problem = "the body is not a valid form: " + wrong;
      return events;
    }
  } else if (const JsonParseResult parsed = parse_json_payload(body, *event, max_depth); !parsed.ok) {
    problem = "the body is not valid JSON: " + parsed.message;
    return events;
  }
  for (const auto& [name, value] : headers) event->set_header(name, value);
  if (!workflow.split) {
    stamp_event(*event, workflow.id);
    events.push_back(std::move(event));
    return events;
  }
  SplitRequest batch = split_request(*workflow.split, *event, max_items);
  if (!batch.problem.empty()) problem = "split: " + batch.problem;
  else if (batch.selected > max_items) problem = "split selected " + std::to_string(batch.selected) + " items, more than limits.max_items (" + std::to_string(max_items) + ")";
  if (!problem.empty()) return events;
  for (auto& item : batch.items) stamp_event(*item, workflow.id);
  return std::move(batch.items);
}

}  // namespace weft::app
