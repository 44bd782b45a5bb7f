/* Ports per node through the raw C ABI (1.2): declares the ports listed in `names`, and
 * returns the index given in $.payload.port (any index, so that the host's check is seen). */
#include <weft/plugin.h>

#include <stdio.h>
#include <stdlib.h>

typedef struct node {
  const weft_host* host;
  weft_path* port;
} node;

static const char* const ports[] = {"fallback"};
static const weft_config_field fields[] = {{"names", WEFT_FIELD_SCALAR_LIST, 1, NULL, NULL, "the ports to declare", NULL, 0}};

static void* create(const weft_host* host, const weft_config* config, weft_error* error) {
  weft_value list;
  if (host->config_get(config, "names", &list) != WEFT_FOUND) return NULL;
  const char* names[16];
  size_t count = 0;
  char key[32];
  char copies[16][64];
  for (size_t i = 0; i < list.length && i < 16; ++i) {
    weft_value item;
    snprintf(key, sizeof key, "names[%zu]", i);
    if (host->config_get(config, key, &item) != WEFT_FOUND || item.type != WEFT_TYPE_STRING) return NULL;
    size_t n = item.length < 63 ? item.length : 63;
    for (size_t c = 0; c < n; ++c) copies[i][c] = item.string[c];
    copies[i][n] = '\0';
    names[count++] = copies[i];
  }
  if (host->config_declare_ports(config, names, count, error) != 0) {
    host->config_error_at(config, "names");
    return NULL;
  }
  node* n = calloc(1, sizeof(node));
  if (!n) return NULL;
  n->host = host;
  n->port = host->path_compile("$.payload.port", 14, error);
  return n;
}

static int process(void* opaque, weft_event* event, weft_error* error) {
  (void)error;
  const node* n = opaque;
  weft_value v;
  if (n->host->event_read(event, n->port, &v) != WEFT_FOUND || v.type != WEFT_TYPE_INT) return 0;
  return (int)v.integer;
}

static void destroy(void* opaque) {
  node* n = opaque;
  n->host->path_free(n->port);
  free(n);
}

static const weft_plugin_descriptor descriptor = {sizeof(weft_plugin_descriptor), WEFT_ABI_MAJOR, WEFT_ABI_MINOR, "declared_ports", "0.0.1",
                                                  "test fixture", WEFT_KIND_NODE, fields, 1, ports, 1, create, process, destroy};
WEFT_EXPORT const weft_plugin_descriptor* weft_plugin_entry(void) { return &descriptor; }
