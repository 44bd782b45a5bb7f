#include "weft/store/payload_values.hpp"

#include "weft/base/hmac.hpp"
#include "weft/event/json_strings.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_set>

namespace weft::payload_values {
namespace {

std::string_view trimmed(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// "+49 (30) 123-4567" -> "+49301234567"; empty when the text is not written like that.
std::string international_number(std::string_view s) {
  if (s.size() < 2 || s.front() != '+') return {};
  std::string out = "+";
  for (const char c : s.substr(1)) {
    if (c >= '0' && c <= '9')
      out += c;
    else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')')
      return {};
  }
  return out.size() > 1 ? out : std::string();
}

std::uint64_t little_endian(const unsigned char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view data) {
  std::uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
  std::uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
  const auto rotl = [](std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); };
  const auto round = [&] {
    v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);
    v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;
    v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;
    v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);
  };
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t whole = data.size() / 8 * 8;
  for (std::size_t i = 0; i < whole; i += 8) {
    const std::uint64_t m = little_endian(p + i, 8);
    v3 ^= m;
    round(), round();
    v0 ^= m;
  }
  const std::uint64_t last = (std::uint64_t{data.size() & 0xff} << 56) | little_endian(p + whole, data.size() - whole);
  v3 ^= last;
  round(), round();
  v0 ^= last;
  v2 ^= 0xff;
  round(), round(), round(), round();
  return v0 ^ v1 ^ v2 ^ v3;
}

ValueKeys::ValueKeys(const std::string& secret) {
  // a key of its own, not the suppression key
  const std::string digest = hmac_sha256(secret, "payload-values");
  const auto* bytes = reinterpret_cast<const unsigned char*>(digest.data());
  k0_ = little_endian(bytes, 8);
  k1_ = little_endian(bytes + 8, 8);
}

std::uint64_t ValueKeys::key(std::string_view form) const { return siphash24(k0_, k1_, form); }

std::vector<std::string> forms(std::string_view text) {
  const std::string_view t = trimmed(text);
  std::string lower(t);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::string> out{std::move(lower)};
  if (std::string number = international_number(t); !number.empty() && number != out.front()) out.push_back(std::move(number));
  return out;
}

std::vector<std::uint64_t> ValueKeys::of_value(std::string_view value) const {
  std::vector<std::uint64_t> keys;
  for (const std::string& form : forms(value)) keys.push_back(key(form));
  return keys;
}

std::string ValueKeys::of_payload(std::string_view payload_json) const {
  std::vector<std::uint64_t> keys;
  for_each_json_string(payload_json, [&](std::string_view s) {
    if (s.size() > max_length || trimmed(s).empty()) return;
    for (const std::string& form : forms(s)) keys.push_back(key(form));
  });
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::string packed(keys.size() * 8, '\0');
  for (std::size_t i = 0; i < keys.size(); ++i)
    for (int b = 0; b < 8; ++b) packed[i * 8 + static_cast<std::size_t>(b)] = static_cast<char>((keys[i] >> (8 * b)) & 0xff);
  return packed;
}

bool holds_key(std::string_view packed, const std::vector<std::uint64_t>& keys) {
  const auto* p = reinterpret_cast<const unsigned char*>(packed.data());
  for (std::size_t i = 0; i + 8 <= packed.size(); i += 8)
    if (std::find(keys.begin(), keys.end(), little_endian(p + i, 8)) != keys.end()) return true;
  return false;
}

bool holds_any(std::string_view payload_json, const std::vector<std::string>& values) {
  std::unordered_set<std::string> wanted;
  for (const std::string& v : values)
    for (std::string& form : forms(v)) wanted.insert(std::move(form));
  bool found = false;
  for_each_json_string(payload_json, [&](std::string_view s) {
    if (found || s.size() > max_length) return;
    for (const std::string& form : forms(s))
      if (wanted.count(form)) found = true;
  });
  return found;
}

std::string erased_ids_in(std::string profiles_json, const std::vector<std::string>& ids) {
  for (const std::string& id : ids)
    for (std::size_t at; (at = profiles_json.find('"' + id + '"')) != std::string::npos;) profiles_json.replace(at, id.size() + 2, "\"erased\"");
  return profiles_json;
}

}  // namespace weft::payload_values
