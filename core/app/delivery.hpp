// An event built from a JSON body and request headers the way the collect route builds one
// (SPEC 5: a top level that is not an object is wrapped; headers lower-case), for the commands
// that run a payload without a server: weft test and weft try.
#pragma once

#include "weft/event/event_document.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::app {

using Headers = std::vector<std::pair<std::string, std::string>>;

// nullptr with `problem` set when the body is not JSON within `max_depth`.
std::unique_ptr<EventDocument> delivery_event(std::string_view source, std::string_view body, const Headers& headers, std::size_t max_depth,
                                              std::string& problem);

}  // namespace weft::app
