// Webhook bodies: JSON (with the depth limit, wrapped when not an object) and forms.
#include "weft/event_document.hpp"
#include "weft/event_writer.hpp"
#include "weft/form.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  weft::EventDocument json;
  weft::parse_json_payload(body, json, 64);
  weft::EventDocument form;
  weft::parse_form(body, form.payload(), form.allocator());
  return 0;
}
