// Batches (SPEC 18): a request whose trigger says `split: JSONPATH` becomes one event per node
// the query selects in the request's event document (SendGrid and HubSpot post JSON arrays:
// `$.payload.value[*]`). The same for weft serve, ingest, try and test.
#pragma once

#include "weft/event/event_document.hpp"
#include "weft/event/jsonpath.hpp"
#include "weft/workflow/workflow.hpp"

#include <memory>
#include <string>
#include <vector>

namespace weft {

// The trigger's `split`, parsed (the plugin checked it at configure); null when it has none.
std::shared_ptr<const JsonPath> split_of(const Workflow& workflow);

struct SplitRequest {
  std::vector<std::unique_ptr<EventDocument>> items;  // in the nodelist's order
  std::size_t selected = 0;  // nodes selected; over max_items, `items` is left empty
  std::string problem;       // the query is too large for this document (SPEC 4's bounds)
};

// Each item's event: the node as its payload (a node that is not an object wrapped as
// {"value": ...}, as a body is) and the request's headers; not yet stamped or triggered.
SplitRequest split_request(const JsonPath& split, const EventDocument& request, std::size_t max_items);

}  // namespace weft
