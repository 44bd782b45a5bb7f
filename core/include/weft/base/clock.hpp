// Time as weft stores it: microseconds since the Unix epoch (UTC), shown as RFC 3339 with ms.
#pragma once

#include <cstdint>
#include <string>

namespace weft {

std::int64_t now_micros();

// "2026-11-30T01:40:17.123Z"
std::string format_time(std::int64_t micros);

}  // namespace weft
