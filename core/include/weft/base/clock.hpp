// Time as weft stores it: microseconds since the Unix epoch (UTC), shown as RFC 3339 with ms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

std::int64_t now_micros();

// "2026-11-30T01:40:17.123Z"
std::string format_time(std::int64_t micros);

// Microseconds of an RFC 3339 time ("2026-11-30T01:40:17Z", "...17.123456+01:00"; a date alone
// is its midnight in UTC); nullopt for anything else.
std::optional<std::int64_t> parse_time(std::string_view text);

}  // namespace weft
