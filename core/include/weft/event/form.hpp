// application/x-www-form-urlencoded bodies become an object of strings (SPEC 5).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace weft {

// Decodes `body` into `out` (an object; a repeated name keeps its last value). Returns "" or
// what is malformed (a bad %-escape, invalid UTF-8).
std::string parse_form(std::string_view body, rapidjson::Value& out, rapidjson::MemoryPoolAllocator<>& allocator);

// One name or value of a form: '+' is a space, %XX a byte. False for a bad %-escape.
bool decode_form_component(std::string_view in, std::string& out);

}  // namespace weft
