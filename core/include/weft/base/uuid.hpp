// Ids for events and profiles: UUID version 7 (RFC 9562), time-ordered so that new rows land
// at the end of SQLite's B-trees, with 74 random bits. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

std::string new_uuid();
std::string new_uuid(std::int64_t micros);  // with a given time (tests)

// The 16 bytes of a UUID in its canonical text (lowercase hex, 8-4-4-4-12), as new_uuid makes
// it; nullopt for any other text, uppercase included, so that bytes and text map one to one.
std::optional<std::array<std::uint8_t, 16>> uuid_bytes(std::string_view text);
// The canonical text of a UUID's 16 bytes.
std::string uuid_text(const std::array<std::uint8_t, 16>& bytes);

}  // namespace weft
