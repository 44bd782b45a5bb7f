// email_identification_merger: normalises the e-mail at `email` (trim, lower-case), adds
// identifier email:<value> to the event's profile and merges the profile holding it, if any
// (SPEC 5, 6). It is identification_merger with identifier: email, normalize: email, under
// the config names it has always had.
#include "identifier_merging.hpp"

class EmailIdentificationMerger {
public:
  using Port = merging::Port;
  static constexpr auto& ports = merging::ports;
  static constexpr weft_config_field fields[] = {
      weft::required("email", WEFT_FIELD_JSONPATH, "where the e-mail is"),
      weft::choice("traits", "keep_survivor|most_recent", "keep_survivor", "which traits win when profiles merge"),
      weft::optional("max_profiles", WEFT_FIELD_INTEGER, "most original profiles one profile may stand for", "10"),
      weft::optional("max_emails_per_profile", WEFT_FIELD_INTEGER, "most e-mails one profile may hold", "5"),
      merging::max_per_event_field,
      weft::optional("blocked", WEFT_FIELD_REGEX_LIST, "regexes for e-mails to ignore; replaces the default list"),
  };

  void configure(const weft::Config& config) {
    merging::Settings settings;
    settings.type = "email";
    settings.value = config.path("email");
    settings.normalize = merging::normalize_email;
    settings.traits = merging::trait_policy(config);
    settings.max_profiles = config.integer("max_profiles");
    settings.max_per_profile = config.integer("max_emails_per_profile");
    settings.max_per_event = config.integer("max_per_event");
    settings.blocked = config.blocklist("blocked");
    merger_.configure(config, std::move(settings), "max_profiles", "max_emails_per_profile");
  }

  Port process(weft::Event& event) const { return merger_.process(event); }

private:
  merging::IdentifierMerger merger_;
};

WEFT_PLUGIN(EmailIdentificationMerger, "email_identification_merger", "1.0.0",
            "Identifies the profile by e-mail and merges the profiles that share it")
