// A node that holds its event until the test lets it go: it creates <folder>/entered, then
// waits for <folder>/release. Lets tests fill the ingest queue deterministically.
#include <weft/sdk.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

class Gate {
public:
  enum class Port { out };
  static constexpr const char* ports[] = {"out"};
  static constexpr weft_config_field fields[] = {
      weft::required("folder", WEFT_FIELD_STRING, "where the entered and release files are"),
  };
  void configure(const weft::Config& config) { folder_ = config.string("folder").value(); }
  Port process(weft::Event&) const {
    std::ofstream(folder_ + "/entered") << "1";
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!std::filesystem::exists(folder_ + "/release") && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return Port::out;
  }

private:
  std::string folder_;
};

WEFT_PLUGIN(Gate, "gate", "0.0.1", "waits for a release file")
