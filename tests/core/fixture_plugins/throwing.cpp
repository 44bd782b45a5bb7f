// An SDK node that throws where its config says: the SDK must turn it into an error.
#include <weft/sdk.hpp>

#include <stdexcept>

class Throwing {
public:
  enum class Port { out };
  static constexpr const char* ports[] = {"out"};
  static constexpr weft_config_field fields[] = {
      weft::choice("in", "configure|process", "process", "where to throw"),
  };
  void configure(const weft::Config& config) {
    in_process_ = config.string_or("in", "process") == "process";
    if (!in_process_) throw std::runtime_error("configure refused: test says so");
  }
  Port process(weft::Event&) const { throw std::runtime_error("process failed: test says so"); }

private:
  bool in_process_ = true;
};

WEFT_PLUGIN(Throwing, "throwing", "0.0.1", "throws from configure or process")
