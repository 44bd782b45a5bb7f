#include "weft/store/sqlite/identifier_key_ranges.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace weft::identifier_key_ranges {

std::vector<KeyRange> of(const std::vector<std::string>& types, std::string_view folded_prefix, std::string_view high_tail,
                         const KeyExists& exists) {
  std::vector<KeyRange> out;
  for (const std::string& type : types) {
    std::vector<std::string> variants{""};
    for (const char c : folded_prefix) {
      // A folded prefix has no ASCII capitals; every other byte stands for itself.
      if (c < 'a' || c > 'z') {
        for (std::string& v : variants) v += c;
        continue;
      }
      if (variants.size() * 2 > max_variants) break;
      std::vector<std::string> next;
      for (const std::string& v : variants)
        for (const char letter : {c, static_cast<char>(c - 'a' + 'A')}) {
          std::string longer = v + letter;
          if (exists(type, longer, longer + std::string(high_tail))) next.push_back(std::move(longer));
        }
      variants = std::move(next);
      if (variants.empty()) break;
    }
    for (std::string& v : variants) out.push_back({type, v, v + std::string(high_tail)});
  }
  return out;
}

std::string json_array(const std::vector<KeyRange>& ranges) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  const auto string = [&](const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartArray();
  for (const KeyRange& r : ranges) {
    w.StartArray();
    string(r.type);
    string(r.low);
    string(r.high);
    w.EndArray();
  }
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace weft::identifier_key_ranges
