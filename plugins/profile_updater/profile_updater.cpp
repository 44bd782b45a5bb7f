// profile_updater: writes values from the event into its profile's traits (SPEC 5). A path
// that selects nothing, or null, leaves that trait alone; `if_missing` never overwrites.
#include <weft/sdk.hpp>

#include <string>
#include <utility>
#include <vector>

class ProfileUpdater {
public:
  enum class Port { out, missing };
  static constexpr const char* ports[] = {"out", "missing"};
  static constexpr weft_config_field fields[] = {
      weft::required("set", WEFT_FIELD_MAP, "trait name -> JSONPath or literal"),
      weft::choice("mode", "overwrite|if_missing", "overwrite", "whether an existing trait is replaced"),
  };

  void configure(const weft::Config& config) {
    for (auto& [name, source] : config.map("set")) {
      Assignment a{name, {}, {}};
      if (!source.empty() && source[0] == '$')
        a.path = config.host().compile(source);
      else
        a.literal = std::move(source);
      assignments_.push_back(std::move(a));
    }
    if_missing_ = config.string_or("mode", "overwrite") == "if_missing";
    profile_ = config.host().compile("$.profile_id");
  }

  Port process(weft::Event& event) const {
    const auto profile = event.read(profile_);
    if (!profile || profile->type != WEFT_TYPE_STRING) return Port::missing;
    for (const Assignment& a : assignments_) {
      if (a.path)
        event.set_trait(a.name, a.path, if_missing_);
      else
        event.set_trait(a.name, a.literal, if_missing_);
    }
    return Port::out;
  }

private:
  struct Assignment {
    std::string name;
    weft::Path path;
    std::string literal;
  };
  std::vector<Assignment> assignments_;
  bool if_missing_ = false;
  weft::Path profile_;
};

WEFT_PLUGIN(ProfileUpdater, "profile_updater", "1.0.0", "Writes event values into the profile's traits")
