// Webhook bodies: JSON (with the depth limit, wrapped when not an object) and forms; then what
// the identity rules do with a body's values: trait merges and comparisons, and the example
// workflows' id rules on its text.
#include "weft/event/event_document.hpp"
#include "weft/workflow/event_writer.hpp"
#include "weft/event/form.hpp"
#include "weft/event/id_rules.hpp"
#include "weft/event/json.hpp"
#include "weft/identity/traits.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  weft::EventDocument json;
  weft::parse_json_payload(body, json, 64);
  weft::EventDocument form;
  weft::parse_form(body, form.payload(), form.allocator());

  // The payload as the traits of two profiles, merged both ways and compared with itself.
  const std::string traits = weft::to_json(json.payload());
  const std::string other = R"({"name":{"first":"Jane","x":1},"plan":"pro"})";
  weft::merge_traits({traits, 1}, {other, 2}, weft::TraitPolicy::keep_survivor);
  weft::merge_traits({other, 1}, {traits, 2}, weft::TraitPolicy::most_recent);
  weft::same_value(json.payload(), form.payload());

  static const weft::IdRules github({".*@users\\.noreply\\.github\\.com", ""});
  static const weft::IdRules stripe_allowed({"cus_.*"});
  github.blocked(body);
  stripe_allowed.matches(body);
  return 0;
}
