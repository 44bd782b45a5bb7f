// The events of a request built the way the collect route builds them (SPEC 5: a JSON top level
// that is not an object is wrapped; a form body becomes an object of its fields; headers
// lower-case; SPEC 18: a trigger's `split` makes one event per selected item), for the
// commands that run a payload without a server: weft test and weft try.
#pragma once

#include "weft/event/event_document.hpp"
#include "weft/workflow/workflow.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::app {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Empty with `problem` set when the body is not JSON within `max_depth` (or not a form, with a
// form Content-Type header), or when a split selects more than `max_items`.
std::vector<std::unique_ptr<EventDocument>> delivery_events(const Workflow& workflow, std::string_view body, const Headers& headers,
                                                            std::size_t max_depth, std::size_t max_items, std::string& problem);

}  // namespace weft::app
