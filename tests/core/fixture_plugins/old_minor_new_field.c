/* Declares ABI 1.1 but uses a field type that came with 1.2: refused, naming the version. */
#include "fixture.h"

static const weft_config_field fields[] = {{"limit", WEFT_FIELD_NUMBER, 0, NULL, NULL, "a number", NULL, 0}};
static const weft_plugin_descriptor descriptor = {sizeof(weft_plugin_descriptor), 1, 1, "old_minor_new_field", "0.0.1",
                                                  "test fixture", WEFT_KIND_NODE, fields, 1, fixture_ports, 1,
                                                  fixture_create, fixture_process, fixture_destroy};
WEFT_EXPORT const weft_plugin_descriptor* weft_plugin_entry(void) { return &descriptor; }
