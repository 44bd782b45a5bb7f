/* Returns a port index it never declared. */
#include "fixture.h"
static int bad_port_process(void* node, weft_event* event, weft_error* error) {
  (void)node; (void)event; (void)error;
  return 7;
}
static const weft_plugin_descriptor descriptor = FIXTURE_DESCRIPTOR("bad_port", WEFT_ABI_MAJOR, WEFT_ABI_MINOR, bad_port_process);
WEFT_EXPORT const weft_plugin_descriptor* weft_plugin_entry(void) { return &descriptor; }
