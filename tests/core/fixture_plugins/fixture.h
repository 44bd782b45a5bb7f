/* Shared bits of the C fixture plugins: a node that does nothing. */
#ifndef WEFT_FIXTURE_H
#define WEFT_FIXTURE_H
#include <weft/plugin.h>

static int fixture_node;
static const char* const fixture_ports[] = {"out"};
static void* fixture_create(const weft_host* host, const weft_config* config, weft_error* error) {
  (void)host; (void)config; (void)error;
  return &fixture_node;
}
static int fixture_process(void* node, weft_event* event, weft_error* error) {
  (void)node; (void)event; (void)error;
  return 0;
}
static void fixture_destroy(void* node) { (void)node; }

#define FIXTURE_DESCRIPTOR(NAME, MAJOR, MINOR, PROCESS) \
  { sizeof(weft_plugin_descriptor), MAJOR, MINOR, NAME, "0.0.1", "test fixture", WEFT_KIND_NODE, \
    NULL, 0, fixture_ports, 1, fixture_create, PROCESS, fixture_destroy }
#endif
