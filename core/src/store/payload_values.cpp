#include "payload_values.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>
#include <rapidjson/reader.h>

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

std::int64_t key_of(std::string_view form, const std::string& secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // A prefix of its own, so that no key of this index equals a suppression hash's start.
  std::string message = "payload-value\x1f";
  message += form;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       digest, &length);
  std::int64_t key = 0;
  std::memcpy(&key, digest, sizeof key);
  return key;
}

// Calls `each` with every string value of the payload (not its member names), in document order.
template <class Each>
bool for_each_string(std::string_view json, Each&& each) {
  struct Handler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
    Each& each;
    explicit Handler(Each& e) : each(e) {}
    bool String(const char* s, rapidjson::SizeType n, bool) {
      each(std::string_view(s, n));
      return true;
    }
  } handler(each);
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(json.data(), json.size());
  // Iterative: a payload's depth never costs stack.
  return !reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler).IsError();
}

}  // namespace

std::vector<std::string> forms(std::string_view text) {
  const std::string_view t = trimmed(text);
  std::string lower(t);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::string> out{std::move(lower)};
  if (std::string number = international_number(t); !number.empty() && number != out.front()) out.push_back(std::move(number));
  return out;
}

std::vector<std::int64_t> keys_of_value(std::string_view value, const std::string& secret) {
  std::vector<std::int64_t> keys;
  for (const std::string& form : forms(value)) keys.push_back(key_of(form, secret));
  return keys;
}

std::vector<std::int64_t> keys_of_payload(std::string_view payload_json, const std::string& secret) {
  std::unordered_set<std::string> seen;
  std::vector<std::int64_t> keys;
  for_each_string(payload_json, [&](std::string_view s) {
    if (s.size() > max_length || trimmed(s).empty()) return;
    for (std::string& form : forms(s))
      if (seen.insert(form).second) keys.push_back(key_of(form, secret));
  });
  return keys;
}

bool holds_any(std::string_view payload_json, const std::vector<std::string>& values) {
  std::unordered_set<std::string> wanted;
  for (const std::string& v : values)
    for (std::string& form : forms(v)) wanted.insert(std::move(form));
  bool found = false;
  for_each_string(payload_json, [&](std::string_view s) {
    if (found || s.size() > max_length) return;
    for (const std::string& form : forms(s))
      if (wanted.count(form)) found = true;
  });
  return found;
}

std::string array_literal(const std::vector<std::int64_t>& keys) {
  std::string out = "{";
  for (const std::int64_t key : keys) out += (out.size() > 1 ? "," : "") + std::to_string(key);
  return out + "}";
}

std::string erased_ids_in(std::string profiles_json, const std::vector<std::string>& ids) {
  for (const std::string& id : ids)
    for (std::size_t at; (at = profiles_json.find('"' + id + '"')) != std::string::npos;) profiles_json.replace(at, id.size() + 2, "\"erased\"");
  return profiles_json;
}

}  // namespace weft::payload_values
