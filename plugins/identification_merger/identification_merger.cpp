// identification_merger: email_identification_merger for any identifier (SPEC 15). Reads the
// id at `value`, normalises it as `normalize` says (phone numbers to E.164 by libphonenumber),
// adds identifier <identifier>:<value> to the event's profile and merges the profile holding
// it, within the per-type limit `max_per_profile`.
#include "identifier_merging.hpp"
#include "phone_number.hpp"

class IdentificationMerger {
public:
  using Port = merging::Port;
  static constexpr auto& ports = merging::ports;
  static constexpr weft_config_field fields[] = {
      weft::required("identifier", WEFT_FIELD_STRING, "the identifier's type: phone, customer_id, email, ..."),
      weft::required("value", WEFT_FIELD_JSONPATH, "where the id is"),
      weft::choice("normalize", "none|trim|lower|email|phone", "trim",
                   "none: as sent; trim; lower: trim and lower-case; email: lower and shaped like one; phone: E.164"),
      weft::optional("region", WEFT_FIELD_STRING, "for phone: the ISO country of numbers written without +, e.g. DE"),
      weft::choice("traits", "keep_survivor|most_recent", "keep_survivor", "which traits win when profiles merge"),
      weft::optional("max_profiles", WEFT_FIELD_INTEGER, "most original profiles one profile may stand for", "10"),
      weft::optional("max_per_profile", WEFT_FIELD_INTEGER, "most identifiers of this type one profile may hold", "5"),
      merging::max_per_event_field,
      weft::optional("blocked", WEFT_FIELD_REGEX_LIST, "regexes for values to ignore; replaces the default list"),
  };

  void configure(const weft::Config& config) {
    merging::Settings settings;
    settings.type = config.string_or("identifier", "");
    if (!merging::valid_identifier_type(settings.type))
      throw weft::ConfigError("identifier", "invalid identifier type '" + settings.type +
                                                "': expected 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit");
    settings.value = config.path("value");
    const std::string normalize = config.string_or("normalize", "trim");
    const std::string region = config.string_or("region", "");
    if (!region.empty() && normalize != "phone")
      throw weft::ConfigError("region", "region applies to normalize: phone only (this node normalizes with " + normalize + ")");
    if (!region.empty() && !merging::known_phone_region(region))
      throw weft::ConfigError("region", "unknown region '" + region + "': expected an ISO 3166 country code such as DE or US");
    if (normalize == "phone") {
      merging::load_phone_metadata();
      settings.normalize = [region](std::string_view id) { return merging::normalize_phone(id, region); };
    } else if (normalize == "email")
      settings.normalize = merging::normalize_email;
    else if (normalize == "lower")
      settings.normalize = [](std::string_view id) -> std::optional<std::string> {
        std::string value(id);
        merging::lower_ascii(value);
        return value;
      };
    else if (normalize == "trim")  // ids are read trimmed (SPEC 4)
      settings.normalize = [](std::string_view id) -> std::optional<std::string> { return std::string(id); };
    settings.traits = merging::trait_policy(config);
    settings.max_profiles = config.integer("max_profiles");
    settings.max_per_profile = config.integer("max_per_profile");
    settings.max_per_event = config.integer("max_per_event");
    settings.blocked = config.blocklist("blocked");
    merger_.configure(config, std::move(settings), "max_profiles", "max_per_profile");
  }

  Port process(weft::Event& event) const { return merger_.process(event); }

private:
  merging::IdentifierMerger merger_;
};

WEFT_PLUGIN(IdentificationMerger, "identification_merger", "1.0.0",
            "Identifies the profile by any identifier (phone numbers in E.164) and merges the profiles that share it")
