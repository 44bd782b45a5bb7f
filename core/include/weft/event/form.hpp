// application/x-www-form-urlencoded bodies become an object of strings (SPEC 5).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace weft {

// Decodes `body` into `out` (an object; a repeated name keeps its last value). Returns "" or
// what is malformed (a bad %-escape, invalid UTF-8).
std::string parse_form(std::string_view body, rapidjson::Value& out, rapidjson::MemoryPoolAllocator<>& allocator);

}  // namespace weft
