#include "weft/event/form.hpp"

#include "weft/event/utf8.hpp"

#include <unordered_map>

namespace weft {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool decode_form_component(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return true;
}

std::string parse_form(std::string_view body, rapidjson::Value& out, rapidjson::MemoryPoolAllocator<>& allocator) {
  out.SetObject();
  // A field named twice keeps its last value. Names are found by hash, not by a member scan,
  // so 100,000 fields cost 100,000 steps (keys are copies: RapidJSON keeps short names inline
  // in members that move when the object grows).
  std::unordered_map<std::string, rapidjson::SizeType> index;
  std::string name, value;
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    if (!decode_form_component(pair.substr(0, eq), name) || !decode_form_component(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), value))
      return "malformed %-escape in form field '" + std::string(pair.substr(0, eq)) + "'";
    if (!valid_utf8(name) || !valid_utf8(value)) return "form field '" + std::string(pair.substr(0, eq)) + "' is not valid UTF-8";
    rapidjson::Value v(value.data(), static_cast<rapidjson::SizeType>(value.size()), allocator);
    const auto [at, added] = index.try_emplace(name, out.MemberCount());
    if (!added)
      (out.MemberBegin() + at->second)->value = std::move(v);
    else
      out.AddMember(rapidjson::Value(name.data(), static_cast<rapidjson::SizeType>(name.size()), allocator), v, allocator);
  }
  return "";
}

}  // namespace weft
