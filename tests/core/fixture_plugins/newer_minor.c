#include "fixture.h"
static const weft_plugin_descriptor descriptor = FIXTURE_DESCRIPTOR("newer_minor", WEFT_ABI_MAJOR, WEFT_ABI_MINOR + 1, fixture_process);
WEFT_EXPORT const weft_plugin_descriptor* weft_plugin_entry(void) { return &descriptor; }
