// JSONPath parsing and selection: any text either parses or throws JsonPathError, and a parsed
// path selects without crashing.
#include "weft/event/json.hpp"
#include "weft/event/jsonpath.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static rapidjson::Document doc = [] {
    rapidjson::Document d;
    d.Parse(R"({"a":{"b":[1,{"c":"x"},null]},"j j":{"k.k":3},"'":{"@":2},"e":[]})");
    return d;
  }();
  try {
    const auto path = weft::JsonPath::parse(std::string_view(reinterpret_cast<const char*>(data), size));
    path.select(doc);
  } catch (const weft::JsonPathError&) {
  }
  return 0;
}
