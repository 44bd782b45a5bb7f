#include "fixture.h"
static const weft_plugin_descriptor descriptor = FIXTURE_DESCRIPTOR("wrong_major", WEFT_ABI_MAJOR + 1, 0, fixture_process);
WEFT_EXPORT const weft_plugin_descriptor* weft_plugin_entry(void) { return &descriptor; }
