// What identification_merger and email_identification_merger share (SPEC 4, 5, 15): read the
// ids at every node a path selects, normalise them, and add them as identifiers TYPE:VALUE to
// the event's profile, merging the profiles that hold them, all or nothing. The merge rules
// and limits are the host's; a node only picks the identifiers. Both plugins are this class
// with their own config names.
#pragma once

#include <weft/sdk.hpp>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace merging {

enum class Port { out, missing, invalid, limited };
inline constexpr const char* ports[] = {"out", "missing", "invalid", "limited"};

// Turns a read id into the identifier's value; nullopt sends the event to `invalid`.
using Normalizer = std::function<std::optional<std::string>(std::string_view)>;

inline void lower_ascii(std::string& text) {
  std::transform(text.begin(), text.end(), text.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
}

// local@domain.tld: one '@', something before it, a domain of two or more non-empty labels,
// and no blank or control characters anywhere.
inline bool looks_like_email(std::string_view email) {
  if (std::any_of(email.begin(), email.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; })) return false;
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = email.substr(at + 1);
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) return false;
  return domain.find('.') != std::string_view::npos;
}

// Trimmed, lower-cased, and shaped like an e-mail address.
inline std::optional<std::string> normalize_email(std::string_view id) {
  std::string email(id);
  lower_ascii(email);
  if (!looks_like_email(email)) return std::nullopt;
  return email;
}

// Identifier types name a namespace of ids: like source ids, [a-z0-9][a-z0-9_-]{0,63}.
inline bool valid_identifier_type(std::string_view type) {
  if (type.empty() || type.size() > 64) return false;
  for (std::size_t i = 0; i < type.size(); ++i) {
    const char c = type[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));
    if (!ok) return false;
  }
  return true;
}

struct Settings {
  std::string type;              // the identifier's type: email, phone, customer_id, ...
  weft::Path value;              // where the id is
  Normalizer normalize;          // empty: `normalize: none`, the string exactly as sent
  weft_trait_policy traits = WEFT_TRAITS_KEEP_SURVIVOR;
  std::int64_t max_profiles = 10;
  std::int64_t max_per_profile = 5;
  std::int64_t max_per_event = 10;  // distinct identifiers one event may carry; more: `limited`
  weft::Blocklist blocked;
};

inline constexpr weft_config_field max_per_event_field =
    weft::optional("max_per_event", WEFT_FIELD_INTEGER, "most distinct identifiers one event may add (more: limited, nothing changes)", "10");

class IdentifierMerger {
public:
  // Takes the settings; `config` compiles the path the node reads the event's profile from.
  void configure(const weft::Config& config, Settings settings, const char* max_profiles_key, const char* max_per_profile_key) {
    if (settings.max_profiles < 1) throw weft::ConfigError(max_profiles_key, "must be at least 1");
    if (settings.max_per_profile < 1) throw weft::ConfigError(max_per_profile_key, "must be at least 1");
    if (settings.max_per_event < 1) throw weft::ConfigError("max_per_event", "must be at least 1");
    settings_ = std::move(settings);
    profile_ = config.host().compile("$.profile_id");
  }

  // Every selected id is one identifier, duplicates once. Ids that do not normalise are left
  // out: the node leaves on `invalid` only when none does, on `missing` when none is selected.
  Port process(weft::Event& event) const {
    const auto profile = event.read(profile_);
    if (!profile || profile->type != WEFT_TYPE_STRING) return Port::missing;
    std::vector<std::string> values;
    bool invalid = false;
    const std::size_t selected = event.count(settings_.value);
    for (std::size_t i = 0; i < selected; ++i) {
      Read read = identifier_at(event, i);
      invalid = invalid || read.state == Read::invalid;
      if (read.state != Read::found || std::find(values.begin(), values.end(), read.value) != values.end()) continue;
      if (static_cast<std::int64_t>(values.size()) == settings_.max_per_event) return Port::limited;
      values.push_back(std::move(read.value));
    }
    if (values.empty()) return invalid ? Port::invalid : Port::missing;
    const auto result = event.identify_all(settings_.type, values, settings_.traits, settings_.max_profiles, settings_.max_per_profile);
    if (result == weft::Event::Identified::ignored) return Port::missing;  // blocked or removed by an operator
    return result == weft::Event::Identified::limited ? Port::limited : Port::out;
  }

private:
  struct Read {
    enum State { missing, invalid, found } state = missing;  // missing: no id or a blocked one
    std::string value;
  };

  // The identifier at node `index` of the path's nodelist.
  Read identifier_at(weft::Event& event, std::size_t index) const {
    const auto id = event.id_at(settings_.value, index, settings_.blocked);
    if (!id) return {};
    if (settings_.normalize) {
      auto value = settings_.normalize(*id);
      return value ? Read{Read::found, std::move(*value)} : Read{Read::invalid, {}};
    }
    // normalize: none: the id rules applied, but the value untrimmed
    const auto raw = event.read_at(settings_.value, index);
    return {Read::found, raw && raw->type == WEFT_TYPE_STRING ? std::string(raw->string, raw->length) : std::string(*id)};
  }

  Settings settings_;
  weft::Path profile_;
};

inline weft_trait_policy trait_policy(const weft::Config& config) {
  return config.string_or("traits", "keep_survivor") == "most_recent" ? WEFT_TRAITS_MOST_RECENT : WEFT_TRAITS_KEEP_SURVIVOR;
}

}  // namespace merging
