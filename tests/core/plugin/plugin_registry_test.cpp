#include "weft/plugin/plugin_registry.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

namespace {

const std::string fixtures = WEFT_FIXTURE_PLUGIN_DIR;

std::string reason_for(const weft::PluginRegistry& registry, const std::string& file) {
  for (const auto& r : registry.refusals())
    if (r.file == fixtures + "/" + file) return r.reason;
  return "<accepted>";
}

}  // namespace

TEST_CASE("the built-in plugins load through the ABI") {
  weft::PluginRegistry registry;
  registry.load_directory(WEFT_PLUGIN_DIR);
  CHECK(registry.refusals().empty());
  auto trigger = registry.find("webhook_trigger");
  REQUIRE(trigger);
  CHECK(trigger->is_trigger());
  CHECK(trigger->ports == std::vector<std::string>{"out"});
  auto extractor = registry.find("json_path_extractor");
  REQUIRE(extractor);
  CHECK_FALSE(extractor->is_trigger());
  CHECK(extractor->ports == std::vector<std::string>{"out", "missing"});
  CHECK(extractor->file == std::string(WEFT_PLUGIN_DIR) + "/json_path_extractor.so");
  REQUIRE(extractor->fields.size() == 5);
  CHECK(extractor->fields[0].name == "path");
  CHECK(extractor->fields[0].required);
  CHECK(extractor->fields[1].default_value == "profile_key");
  CHECK(extractor->fields[2].choices == std::vector<std::string>{"none", "lower", "sha256"});
}

TEST_CASE("broken plugin libraries are refused with the file and the exact reason") {
  weft::PluginRegistry registry;
  registry.load_directory(fixtures);

  CHECK(reason_for(registry, "no_entry.so") ==
        "no entry point 'weft_plugin_entry' (is it a weft plugin? WEFT_PLUGIN(...) exports it)");
  CHECK(reason_for(registry, "wrong_major.so") == "ABI version mismatch: plugin has major 2, this weft expects 1");
  CHECK(reason_for(registry, "newer_minor.so") == "plugin needs ABI 1.5, this weft provides 1.4");
  CHECK(reason_for(registry, "old_minor_new_field.so") ==
        "plugin 'old_minor_new_field' config field 'limit' has unknown type 10 (it needs ABI 1.2; the plugin declares 1.1)");
  CHECK(reason_for(registry, "missing_process.so") == "plugin 'missing_process' is missing the required function 'process'");
  CHECK(reason_for(registry, "duplicate_a.so") == "<accepted>");
  CHECK(reason_for(registry, "duplicate_b.so") ==
        "duplicate plugin name 'duplicate_name', already loaded from " + fixtures + "/duplicate_a.so");

  // the host survives all of them, and the good fixtures still load beside them
  CHECK(registry.find("duplicate_name"));
  CHECK(registry.find("probe"));
  CHECK(registry.find("throwing"));
  CHECK(registry.find("escaping"));
  CHECK(registry.find("bad_port"));
  CHECK_FALSE(registry.find("wrong_major"));
  CHECK(registry.refusals().size() == 6);
  CHECK(registry.refusals()[0].str().find(": refused: ") != std::string::npos);
}

TEST_CASE("a file that is not a library at all is refused, not fatal") {
  weft::PluginRegistry registry;
  CHECK_FALSE(registry.load_file(std::string(WEFT_SOURCE_DIR) + "/README.md"));
  REQUIRE(registry.refusals().size() == 1);
  CHECK(registry.refusals()[0].reason.rfind("cannot load: ", 0) == 0);
}

TEST_CASE("a missing plugin directory is reported") {
  weft::PluginRegistry registry;
  registry.load_directory("/nonexistent/weft/plugins");
  REQUIRE(registry.refusals().size() == 1);
  CHECK(registry.refusals()[0].str() == "/nonexistent/weft/plugins: refused: not a directory of plugins");
}
