/* A library that is not a weft plugin: no weft_plugin_entry. */
__attribute__((visibility("default"))) int some_other_function(void) { return 42; }
