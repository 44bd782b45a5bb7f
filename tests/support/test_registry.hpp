// The registry tests load workflows against: the built-in plugins plus the test fixtures.
#pragma once

#include "weft/plugin/plugin_registry.hpp"

namespace weft::test {

inline const PluginRegistry& test_registry() {
  static const PluginRegistry registry = [] {
    PluginRegistry r;
    r.load_directory(WEFT_PLUGIN_DIR);
    r.load_directory(WEFT_FIXTURE_PLUGIN_DIR);  // the broken fixtures are refused; the rest load
    return r;
  }();
  return registry;
}

}  // namespace weft::test
