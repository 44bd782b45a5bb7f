#include "phone_number.hpp"

#include <phonenumbers/phonenumberutil.h>

namespace merging {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr std::size_t max_input = 250;  // libphonenumber's kMaxInputStringLength

// Thread-safe once made; made on first use.
const PhoneNumberUtil& util() { return *PhoneNumberUtil::GetInstance(); }

}  // namespace

void load_phone_metadata() { util(); }

bool known_phone_region(const std::string& region) { return util().GetCountryCodeForRegion(region) != 0; }

std::optional<std::string> normalize_phone(std::string_view text, const std::string& region) {
  if (text.size() > max_input) return std::nullopt;
  PhoneNumber number;
  if (util().Parse(std::string(text), region.empty() ? "ZZ" : region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
  // Possible as a whole number only: a local-only number (112 in DE) names no one person.
  if (util().IsPossibleNumberWithReason(number) != PhoneNumberUtil::IS_POSSIBLE) return std::nullopt;
  std::string e164;
  util().Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

}  // namespace merging
