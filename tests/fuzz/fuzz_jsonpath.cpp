// JSONPath, all of RFC 9535: any text either parses or throws JsonPathError; a parsed query
// evaluates without crashing, within its bounds (or throws JsonPathLimitError), and its one
// value is always its nodelist's first node. The I-Regexps of match() and search() come from
// the same input, so the translator to RE2 is fuzzed with them.
#include "weft/event/iregexp.hpp"
#include "weft/event/json.hpp"
#include "weft/event/jsonpath.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static rapidjson::Document doc = [] {
    rapidjson::Document d;
    d.Parse(R"({"a":{"b":[1,{"c":"x"},null,2.5,true]},"j j":{"k.k":3},"'":{"@":2},"e":[],
                "o":[{"id":"i1","v":"a@x.io","p":false},{"id":"i2","v":"B@x.io","p":true}],"id":"i2",
                "r":"[a-z]+","n":[[[[["deep"]]]]]})");
    return d;
  }();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  try {
    const auto path = weft::JsonPath::parse(input);
    std::vector<const rapidjson::Value*> nodes;
    path.select_all(doc, nodes);
    if (path.select(doc) != (nodes.empty() ? nullptr : nodes.front())) __builtin_trap();
    if (path.singular() && nodes.size() > 1) __builtin_trap();
  } catch (const weft::JsonPathError&) {
  } catch (const weft::JsonPathLimitError&) {
  }
  if (const auto regex = weft::IRegexp::compile(input)) regex->found_in(input);
  return 0;
}
