#include "fixture.h"
static const weft_plugin_descriptor descriptor = FIXTURE_DESCRIPTOR("missing_process", WEFT_ABI_MAJOR, WEFT_ABI_MINOR, NULL);
WEFT_EXPORT const weft_plugin_descriptor* weft_plugin_entry(void) { return &descriptor; }
