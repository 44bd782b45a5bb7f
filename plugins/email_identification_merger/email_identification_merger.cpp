// email_identification_merger: normalises the e-mail at `email` (trim, lower-case), adds
// identifier email:<value> to the event's profile and merges the profile holding it, if any
// (SPEC 5, 6). The merge rules and limits are the host's; this node only picks the e-mail.
#include <weft/sdk.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace {

// local@domain.tld: one '@', something before it, a domain of two or more non-empty labels,
// and no blank or control characters anywhere.
bool looks_like_email(std::string_view email) {
  if (std::any_of(email.begin(), email.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; })) return false;
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = email.substr(at + 1);
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) return false;
  return domain.find('.') != std::string_view::npos;
}

}  // namespace

class EmailIdentificationMerger {
public:
  enum class Port { out, missing, invalid, limited };
  static constexpr const char* ports[] = {"out", "missing", "invalid", "limited"};
  static constexpr weft_config_field fields[] = {
      weft::required("email", WEFT_FIELD_JSONPATH, "where the e-mail is"),
      weft::choice("traits", "keep_survivor|most_recent", "keep_survivor", "which traits win when profiles merge"),
      weft::optional("max_profiles", WEFT_FIELD_INTEGER, "most original profiles one profile may stand for", "10"),
      weft::optional("max_emails_per_profile", WEFT_FIELD_INTEGER, "most e-mails one profile may hold", "5"),
      weft::optional("blocked", WEFT_FIELD_REGEX_LIST, "regexes for e-mails to ignore; replaces the default list"),
  };

  void configure(const weft::Config& config) {
    email_ = config.path("email");
    traits_ = config.string_or("traits", "keep_survivor") == "most_recent" ? WEFT_TRAITS_MOST_RECENT : WEFT_TRAITS_KEEP_SURVIVOR;
    max_profiles_ = config.integer("max_profiles");
    max_emails_ = config.integer("max_emails_per_profile");
    if (max_profiles_ < 1 || max_emails_ < 1) throw weft::Error("max_profiles and max_emails_per_profile must be at least 1");
    blocked_ = config.blocklist("blocked");
    profile_ = config.host().compile("$.profile_id");
  }

  Port process(weft::Event& event) const {
    const auto profile = event.read(profile_);
    if (!profile || profile->type != WEFT_TYPE_STRING) return Port::missing;
    const auto selected = event.id(email_, blocked_);
    if (!selected) return Port::missing;
    std::string email(*selected);
    std::transform(email.begin(), email.end(), email.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
    if (!looks_like_email(email)) return Port::invalid;
    const auto result = event.identify("email", email, traits_, max_profiles_, max_emails_);
    if (result == weft::Event::Identified::ignored) return Port::missing;  // blocked or removed by an operator
    return result == weft::Event::Identified::limited ? Port::limited : Port::out;
  }

private:
  weft::Path email_;
  weft_trait_policy traits_ = WEFT_TRAITS_KEEP_SURVIVOR;
  std::int64_t max_profiles_ = 10;
  std::int64_t max_emails_ = 5;
  weft::Blocklist blocked_;
  weft::Path profile_;
};

WEFT_PLUGIN(EmailIdentificationMerger, "email_identification_merger", "1.0.0",
            "Identifies the profile by e-mail and merges the profiles that share it")
