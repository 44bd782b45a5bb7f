// Phone numbers to E.164 with libphonenumber (SPEC 15): "+49 30 1234567" and, with region DE,
// "030 1234567" are both +49301234567. No number rules of our own.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace merging {

// Loads libphonenumber's metadata (~15 ms, once per process): called when a node is made, so
// that no event waits for it.
void load_phone_metadata();

// Whether `region` is an ISO 3166 country libphonenumber knows ("DE", "US").
bool known_phone_region(const std::string& region);

// The number in E.164, or nullopt when it cannot be parsed or is not a possible number.
// `region` ("" for none) is the country of numbers written without '+'. Bounded work: longer
// inputs than libphonenumber's own limit (250 characters) are refused before it parses.
std::optional<std::string> normalize_phone(std::string_view text, const std::string& region);

}  // namespace merging
