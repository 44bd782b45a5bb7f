// Must NOT compile: no Port enum. The SDK's static_assert says what it expected.
#include <weft/sdk.hpp>

class NoPorts {
public:
  void configure(const weft::Config&) {}
  int process(weft::Event&) const { return 0; }
};

WEFT_PLUGIN(NoPorts, "no_ports", "0.0.1", "a mistake")
