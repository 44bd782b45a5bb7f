/* A plugin built against ABI 1.0: compiled with the 1.0 header (abi_1_0/weft/plugin.h, frozen),
 * it declares minor 0, fixed ports, and uses only the host functions 1.0 had (path_compile,
 * event_read_id, event_write_string). Copies $.payload.user into $.properties.seen. Every later
 * host of major 1 must load and run it unchanged. */
#include <weft/plugin.h>

#include <stdlib.h>

typedef struct node {
  const weft_host* host;
  weft_path* user;
  weft_path* seen;
} node;

static const char* const ports[] = {"out", "missing"};

static void* create(const weft_host* host, const weft_config* config, weft_error* error) {
  (void)config;
  node* n = calloc(1, sizeof(node));
  if (!n) return NULL;
  n->host = host;
  n->user = host->path_compile("$.payload.user", 14, error);
  n->seen = host->path_compile("$.properties.seen", 17, error);
  if (!n->user || !n->seen) {
    if (n->user) host->path_free(n->user);
    free(n);
    return NULL;
  }
  return n;
}

static int process(void* opaque, weft_event* event, weft_error* error) {
  const node* n = opaque;
  const char* text = NULL;
  size_t length = 0;
  if (n->host->event_read_id(event, n->user, NULL, &text, &length) != WEFT_FOUND) return 1;
  return n->host->event_write_string(event, n->seen, text, length, error) == 0 ? 0 : WEFT_PORT_ERROR;
}

static void destroy(void* opaque) {
  node* n = opaque;
  n->host->path_free(n->user);
  n->host->path_free(n->seen);
  free(n);
}

static const weft_plugin_descriptor descriptor = {sizeof(weft_plugin_descriptor), 1, 0, "abi_1_0", "1.0.0",
                                                  "built as against ABI 1.0", WEFT_KIND_NODE, NULL, 0, ports, 2,
                                                  create, process, destroy};
WEFT_EXPORT const weft_plugin_descriptor* weft_plugin_entry(void) { return &descriptor; }
