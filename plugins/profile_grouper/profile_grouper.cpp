// profile_grouper: resolves identifier (identifier, properties.<key>) to a profile, creating it
// on first sight, and makes it the event's profile (SPEC 5). The identifier type defaults to
// the source id, so `slack:123` and `stripe:123` never collide.
#include <weft/sdk.hpp>

#include <string>

class ProfileGrouper {
public:
  enum class Port { out, missing, unknown };
  static constexpr const char* ports[] = {"out", "missing", "unknown"};
  static constexpr weft_config_field fields[] = {
      weft::optional("identifier", WEFT_FIELD_STRING, "the identifier type; default: the source id"),
      weft::optional("key", WEFT_FIELD_STRING, "the property holding the id: properties.<key>", "profile_key"),
      weft::optional("create", WEFT_FIELD_BOOLEAN, "create a profile for an id seen the first time", "true"),
  };

  void configure(const weft::Config& config) {
    identifier_ = config.string_or("identifier", "");
    key_ = config.host().compile(weft::member_path("$.properties", config.string_or("key", "profile_key")));
    source_ = config.host().compile("$.source");
    create_ = config.boolean("create");
  }

  Port process(weft::Event& event) const {
    const auto value = event.read(key_);
    if (!value || value->type != WEFT_TYPE_STRING || value->length == 0) return Port::missing;
    const std::string id(value->string, value->length);  // copied: resolving writes to the event
    std::string type = identifier_;
    if (type.empty()) {
      const auto source = event.read(source_);
      type.assign(source->string, source->length);
    }
    switch (event.resolve(type, id, create_)) {
      case weft::Event::Resolved::found: return Port::out;
      case weft::Event::Resolved::ignored: return Port::missing;  // blocked or removed by an operator
      case weft::Event::Resolved::absent: break;
    }
    return Port::unknown;
  }

private:
  std::string identifier_;
  weft::Path key_;
  weft::Path source_;
  bool create_ = true;
};

WEFT_PLUGIN(ProfileGrouper, "profile_grouper", "1.0.0", "Groups the event into the profile of its external id")
