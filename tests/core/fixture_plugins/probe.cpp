// A test node: marks the event with properties.<mark> = "ran" and leaves on the port its
// config names. Lets tests see which nodes ran and drive every route.
#include <weft/sdk.hpp>

#include <string>

class Probe {
public:
  enum class Port { out, alt, missing };
  static constexpr const char* ports[] = {"out", "alt", "missing"};
  static constexpr weft_config_field fields[] = {
      weft::required("mark", WEFT_FIELD_STRING, "the property to set"),
      weft::choice("port", "out|alt|missing", "out", "the port to leave on"),
      weft::optional("count", WEFT_FIELD_INTEGER, "an integer, for config tests", "1"),
      weft::optional("flag", WEFT_FIELD_BOOLEAN, "a boolean, for config tests", "false"),
  };

  void configure(const weft::Config& config) {
    mark_ = config.host().compile("$.properties." + config.string("mark").value());
    const std::string port = config.string_or("port", "out");
    port_ = port == "alt" ? Port::alt : port == "missing" ? Port::missing : Port::out;
  }
  Port process(weft::Event& event) const {
    event.write(mark_, "ran");
    return port_;
  }

private:
  weft::Path mark_;
  Port port_ = Port::out;
};

WEFT_PLUGIN(Probe, "probe", "0.0.1", "marks the event and leaves on a configured port")
