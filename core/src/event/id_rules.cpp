#include "weft/event/id_rules.hpp"

#include <array>

namespace weft {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

constexpr std::array<std::string_view, 6> default_blocked = {"", "null", "undefined", "anonymous", "0", "-1"};

}  // namespace

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

IdRules::IdRules(const std::vector<std::string>& patterns) : custom_(true), patterns_(patterns) {}

bool IdRules::blocked(std::string_view trimmed) const {
  if (!custom_) {
    for (std::string_view word : default_blocked)
      if (equals_ignoring_case(trimmed, word)) return true;
    return false;
  }
  return patterns_.matches(trimmed);
}

std::optional<std::string_view> IdRules::read(const rapidjson::Value* value, std::string& scratch) const {
  if (!value) return std::nullopt;
  std::string_view text;
  if (value->IsString()) {
    text = std::string_view(value->GetString(), value->GetStringLength());
  } else if (value->IsInt64()) {
    scratch = std::to_string(value->GetInt64());
    text = scratch;
  } else if (value->IsUint64()) {
    scratch = std::to_string(value->GetUint64());
    text = scratch;
  } else if (value->IsBool()) {
    text = value->GetBool() ? "true" : "false";
  } else {
    return std::nullopt;
  }
  text = trim(text);
  if (blocked(text)) return std::nullopt;
  return text;
}

}  // namespace weft
