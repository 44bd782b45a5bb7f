// Must NOT compile: process is not const. The SDK's static_assert says what it expected.
#include <weft/sdk.hpp>

class NotConst {
public:
  enum class Port { out };
  static constexpr const char* ports[] = {"out"};
  void configure(const weft::Config&) {}
  Port process(weft::Event&) { return Port::out; }
};

WEFT_PLUGIN(NotConst, "not_const", "0.0.1", "a mistake")
