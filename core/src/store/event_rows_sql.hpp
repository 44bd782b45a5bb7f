// The one SELECT of event rows both stores read with: its columns are in the order their
// event_row() functions take them.
#pragma once

#include <string>
#include <string_view>

namespace weft {

inline std::string select_events(std::string_view condition) {
  return "SELECT seq, id, source, type, received_at, profile_id, status, payload, properties, trace, error FROM events " +
         std::string(condition);
}

// The same columns with an empty trace: what an export writes (SPEC 8: events without `trace`).
inline std::string select_events_without_trace(std::string_view condition) {
  return "SELECT seq, id, source, type, received_at, profile_id, status, payload, properties, '[]', error FROM events " +
         std::string(condition);
}

}  // namespace weft
