// JSON text in and out, on RapidJSON (chosen for a mutable DOM with ~0.8 µs parse of a
// 450-byte webhook; see docs/design.md).
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace weft {

struct JsonParseResult {
  bool ok = true;
  std::string message;  // what went wrong and at which byte, when !ok
};

// Parses `text` (UTF-8, validated) into `out`, allocating from `allocator`. Refuses nesting
// deeper than `max_depth` (objects and arrays) without recursion, so hostile input cannot
// exhaust the stack.
JsonParseResult parse_json(std::string_view text, rapidjson::Value& out, rapidjson::MemoryPoolAllocator<>& allocator,
                           std::size_t max_depth);
// The same check without building anything (weft ingest checks a line when it reads it, and
// parses it when it writes it).
JsonParseResult check_json(std::string_view text, std::size_t max_depth);

// The member `name` of `object` (any bytes, NUL included), or MemberEnd(). Never call
// FindMember(StringRef(p, n)): StringRef converts to const char*, so RapidJSON picks the
// overload that stops at the first NUL and reads past the end of a string_view.
template <class Value>
auto find_member(Value& object, std::string_view name) {
  const rapidjson::Value key(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size())));
  return object.FindMember(key);
}

// Compact JSON text of `value`.
std::string to_json(const rapidjson::Value& value);

// Writing JSON answers: a string of any bytes the writer escapes, and a whole document.
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
inline void write_text(JsonWriter& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
inline std::string json_of(const std::function<void(JsonWriter&)>& write) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  write(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace weft
