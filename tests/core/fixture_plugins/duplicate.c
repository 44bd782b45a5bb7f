/* Built twice, as duplicate_a.so and duplicate_b.so: the second load must be refused. */
#include "fixture.h"
static const weft_plugin_descriptor descriptor = FIXTURE_DESCRIPTOR("duplicate_name", WEFT_ABI_MAJOR, WEFT_ABI_MINOR, fixture_process);
WEFT_EXPORT const weft_plugin_descriptor* weft_plugin_entry(void) { return &descriptor; }
