// Ids for events and profiles: UUID version 7 (RFC 9562), time-ordered so that new rows land
// at the end of SQLite's B-trees, with 74 random bits. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace weft {

std::string new_uuid();
std::string new_uuid(std::int64_t micros);  // with a given time (tests)

}  // namespace weft
