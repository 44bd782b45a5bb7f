// Every string value of a JSON text (not its member names), in document order.
#pragma once

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <string_view>

namespace weft {

// Calls `each(std::string_view)` with every string value; false when the text is not JSON (the
// strings before the error have been seen). Iterative: a document's depth never costs stack.
template <class Each>
bool for_each_json_string(std::string_view json, Each&& each) {
  struct Handler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
    Each& each;
    explicit Handler(Each& e) : each(e) {}
    bool String(const char* s, rapidjson::SizeType n, bool) {
      each(std::string_view(s, n));
      return true;
    }
    bool Key(const char*, rapidjson::SizeType, bool) { return true; }  // the base would call String
  } handler(each);
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(json.data(), json.size());
  return !reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler).IsError();
}

}  // namespace weft
