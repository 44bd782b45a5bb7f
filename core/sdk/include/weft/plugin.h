/*
 * weft plugin ABI — the only contract between the weft host and a plugin library.
 *
 * A plugin is a shared library that exports one C function, `weft_plugin_entry`, returning a
 * descriptor. Only C types cross this boundary: no C++ type, exception or allocator. A plugin
 * built with another compiler or standard library works with any host of the same ABI major.
 *
 * Versioning:
 *   - WEFT_ABI_MAJOR changes when an existing field or function changes meaning or position.
 *     The host refuses a plugin of another major.
 *   - WEFT_ABI_MINOR grows when fields are appended at the end of weft_plugin_descriptor or
 *     weft_host. Each such struct starts with `struct_size`: a reader uses a field only when
 *     struct_size shows it is there. Nothing is ever removed within one major.
 *   - 1.1 added patterns_match and the IGNORED results; 1.2 added ports per node
 *     (config_declare_ports), config_error_at, and the field types NUMBER to OBJECT_LIST;
 *     1.3 the reads of every node a path selects (event_count, event_read_at, ...); 1.4 the
 *     TEMPLATE field (config_json) and messages to destinations (event_deliver).
 *     A plugin built against an older header loads and runs unchanged.
 *
 * Threads: the host may call `process` of one node from several threads at once (trigger
 * nodes run on HTTP threads). A node must treat the state it built in `create` as read-only
 * in `process`, or synchronise itself. `create` and `destroy` are never concurrent with any
 * other call on the same node.
 *
 * Most plugin authors use the C++ SDK in <weft/sdk.hpp>, which fills all of this in.
 */
#ifndef WEFT_PLUGIN_H
#define WEFT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_ABI_MAJOR 1
#define WEFT_ABI_MINOR 4

/* The name of the one exported function, for dlsym. */
#define WEFT_PLUGIN_ENTRY_NAME "weft_plugin_entry"

#if defined(_WIN32)
#define WEFT_EXPORT __declspec(dllexport)
#else
#define WEFT_EXPORT __attribute__((visibility("default")))
#endif

/* ---- Values ----------------------------------------------------------------------------- */

typedef enum weft_type {
  WEFT_TYPE_NULL = 0,
  WEFT_TYPE_BOOL = 1,
  WEFT_TYPE_INT = 2,    /* fits int64_t */
  WEFT_TYPE_DOUBLE = 3, /* any other number */
  WEFT_TYPE_STRING = 4,
  WEFT_TYPE_ARRAY = 5,
  WEFT_TYPE_OBJECT = 6
} weft_type;

/* A JSON value seen through the ABI. Owned by the host; `string` is UTF-8, not necessarily
 * NUL-terminated (use `length`), and lives as the function that filled it documents.
 * For ARRAY and OBJECT, `length` is the number of elements or members. */
typedef struct weft_value {
  weft_type type;
  int boolean;
  int64_t integer;
  double number;
  const char* string;
  size_t length;
} weft_value;

/* An error message written by the callee into a buffer owned by the caller.
 * Always NUL-terminated; messages longer than the buffer are cut. */
#define WEFT_ERROR_CAPACITY 1024
typedef struct weft_error {
  char message[WEFT_ERROR_CAPACITY];
} weft_error;

/* ---- Config fields: one declarative table per plugin ------------------------------------ */

typedef enum weft_field_type {
  WEFT_FIELD_STRING = 1,          /* any scalar, read as a string */
  WEFT_FIELD_INTEGER = 2,         /* an integer (int64) */
  WEFT_FIELD_BOOLEAN = 3,         /* true or false */
  WEFT_FIELD_JSONPATH = 4,        /* a string that must be a valid JSONPath */
  WEFT_FIELD_PATH_OR_LITERAL = 5, /* a string: "$..." must be a valid JSONPath, else a literal */
  WEFT_FIELD_ENUM = 6,            /* one of `choices` */
  WEFT_FIELD_REGEX_LIST = 7,      /* a list of regular expressions (RE2 syntax), each must compile */
  WEFT_FIELD_MAP = 8,             /* a map of name -> JSONPath or literal */
  WEFT_FIELD_OBJECT = 9,          /* a nested object whose keys are described by `fields` */
  /* since ABI 1.2 (a plugin declaring an older minor may not use them): */
  WEFT_FIELD_NUMBER = 10,         /* an integer (read as INT) or a decimal number (DOUBLE) */
  WEFT_FIELD_SCALAR = 11,         /* any single value, typed as YAML wrote it: INT, DOUBLE, BOOL (true/false) or STRING */
  WEFT_FIELD_SCALAR_LIST = 12,    /* a list of SCALAR values */
  WEFT_FIELD_REGEX = 13,          /* one regular expression (RE2 syntax) that must compile */
  WEFT_FIELD_OBJECT_LIST = 14,    /* a list of objects whose keys are described by `fields`; read "name[i].key" */
  /* since ABI 1.4: */
  WEFT_FIELD_TEMPLATE = 15        /* any nesting of maps, lists and values, typed as YAML wrote them; each string that
                                     starts with '$' must be a valid JSONPath. Read whole with config_json */
} weft_field_type;

/* One config key under a node's `with:`. The host rejects keys that no field names, values
 * of the wrong type and missing required fields, and fills in defaults, before `create`. */
typedef struct weft_config_field {
  const char* name;        /* required; the YAML key */
  weft_field_type type;    /* required */
  int required;            /* non-zero: the key must be present */
  const char* default_value; /* optional (NULL: none); written as in YAML: "10", "true", "lower" */
  const char* choices;     /* ENUM only: the allowed values separated by '|', e.g. "none|slack" */
  const char* description; /* required; one line for `weft plugins --describe` */
  const struct weft_config_field* fields; /* OBJECT only: the nested keys */
  size_t field_count;      /* OBJECT only */
} weft_config_field;

/* ---- Opaque host objects ---------------------------------------------------------------- */

typedef struct weft_event weft_event;     /* the event document a node is processing */
typedef struct weft_config weft_config;   /* a node's validated config, during `create` only */
typedef struct weft_path weft_path;       /* a compiled JSONPath */
typedef struct weft_blocklist weft_blocklist; /* compiled regexes: `blocked:` rules for ids, or any pattern list */

typedef enum weft_log_level {
  WEFT_LOG_DEBUG = 0,
  WEFT_LOG_INFO = 1,
  WEFT_LOG_WARNING = 2,
  WEFT_LOG_ERROR = 3
} weft_log_level;

/* Results of the host's read functions. */
#define WEFT_FOUND 1
#define WEFT_MISSING 0
#define WEFT_IGNORED 2 /* since ABI 1.1: profile_resolve's identifier is blocked or removed (SPEC 13): treat it as missing */

/* ---- Identity options and results (profile_identify) ------------------------------------ */

typedef enum weft_trait_policy {
  WEFT_TRAITS_KEEP_SURVIVOR = 0, /* the survivor's value wins; keys only the other has are added */
  WEFT_TRAITS_MOST_RECENT = 1    /* the value of the profile updated last wins, key by key */
} weft_trait_policy;

typedef struct weft_identify_options {
  uint32_t struct_size;              /* sizeof(weft_identify_options) as the plugin knew it */
  weft_trait_policy traits;
  int64_t max_profiles;              /* original profiles one profile may stand for */
  int64_t max_identifiers_of_type;   /* identifiers of this type one profile may hold */
} weft_identify_options;

#define WEFT_IDENTIFY_ADDED 1   /* new identifier, now on the event's profile */
#define WEFT_IDENTIFY_KNOWN 2   /* it was already on the event's profile */
#define WEFT_IDENTIFY_MERGED 3  /* another profile held it; the two are now one */
#define WEFT_IDENTIFY_LIMITED 4 /* a limit forbade it; nothing changed */
#define WEFT_IDENTIFY_IGNORED 5 /* since ABI 1.1: the identifier is blocked or removed (SPEC 13); nothing changed */

/* ---- Host services, handed to `create` ---------------------------------------------------
 * The table and every function in it live as long as the node. All functions are thread-safe
 * unless said otherwise; functions taking a weft_event* may only be called during `process`
 * with the event passed to it. */
typedef struct weft_host {
  uint32_t struct_size; /* sizeof(weft_host) of the host; fields past it are absent */
  uint32_t abi_major;
  uint32_t abi_minor;
  void* host_data; /* the host's own; plugins never read or write it */

  /* Writes a line to the host's log, tagged with the node. `message` need not be
   * NUL-terminated. Never fails. */
  void (*log)(const struct weft_host* host, weft_log_level level, const char* message, size_t length);

  /* -- config, valid during `create` only -- */

  /* Reads the config value at `name` (a key, or "outer.inner" inside an OBJECT field, and since
   * ABI 1.2 "list[i]" for entry i of a list, as in "cases[2].port"), after defaults. Returns
   * WEFT_FOUND and fills `out` (a list as ARRAY with its length), or WEFT_MISSING when absent.
   * Strings in `out` live until `create` returns. */
  int (*config_get)(const weft_config* config, const char* name, weft_value* out);

  /* Reads entry `index` of the REGEX_LIST or MAP value at `name`. For a MAP, `key` receives the
   * entry's name; for a list, `key` is set to NULL type. Returns WEFT_MISSING past the end. */
  int (*config_entry)(const weft_config* config, const char* name, size_t index, weft_value* key,
                      weft_value* value);

  /* -- JSONPath, all of RFC 9535 (see SPEC section 4) -- */

  /* Compiles `text`. Returns NULL and fills `error` when it is not a valid path. The caller owns
   * the result and frees it with path_free; a path may be used from any thread. */
  weft_path* (*path_compile)(const char* text, size_t length, weft_error* error);
  void (*path_free)(weft_path* path);

  /* -- the event document, during `process` only --
   * A path selects a nodelist (RFC 9535 order); these reads take its first node. Since ABI 1.3
   * the *_at functions below read any node. A query too large for the document (SPEC 4's
   * bounds) reads as MISSING and sends the node to its error port when `process` returns. */

  /* Reads the value selected by `path`. Returns WEFT_FOUND and fills `out`, or WEFT_MISSING.
   * Strings in `out` live until `process` returns or the event is written to. */
  int (*event_read)(weft_event* event, const weft_path* path, weft_value* out);

  /* Reads the value selected by `path` as an id (SPEC 4): strings as they are, integers in
   * decimal, booleans as true/false, trimmed; anything else, or a value that `blocked` rejects
   * (NULL: the default list ""/null/undefined/anonymous/0/-1, ignoring case), is MISSING.
   * On WEFT_FOUND, *text and *length point at host memory living until `process` returns. */
  int (*event_read_id)(weft_event* event, const weft_path* path, const weft_blocklist* blocked,
                       const char** text, size_t* length);

  /* Serialises the value selected by `path` as JSON text. Lifetime as for event_read_id. */
  int (*event_read_json)(weft_event* event, const weft_path* path, const char** json, size_t* length);

  /* Sets the value at `path` (under $.properties, $.payload or $.type), creating missing
   * objects along the way. Returns 0 on success, or -1 and fills `error` (bad target, or a
   * non-object in the way). `write_json` parses `json` as a JSON value first. */
  int (*event_write_string)(weft_event* event, const weft_path* path, const char* text, size_t length,
                            weft_error* error);
  int (*event_write_json)(weft_event* event, const weft_path* path, const char* json, size_t length,
                          weft_error* error);

  /* -- id rules -- */

  /* Compiles `count` regular expressions (RE2 syntax: no lookaround, no backreferences; each
   * matched against the whole trimmed id, in time linear in its length) into a blocklist that
   * replaces the default. NULL and `error` filled if one does not compile (the message says
   * why). The caller owns the result and frees it with blocklist_free; it may be used from
   * any thread. */
  weft_blocklist* (*blocklist_compile)(const char* const* patterns, size_t count, weft_error* error);
  void (*blocklist_free)(weft_blocklist* blocklist);

  /* Trigger nodes: sets the key under which this delivery is deduplicated within its source
   * (SPEC 6). A later event of the same source with the same key stores nothing and answers
   * with the first event. Returns 0, or -1 with `error` filled. */
  int (*event_set_idempotency_key)(weft_event* event, const char* key, size_t length, weft_error* error);

  /* -- profiles, during `process` only (SPEC 6) --
   * Every change is part of the event's transaction: it is committed with the event, and rolled
   * back if the event is dropped, rejected or fails. The rules (survivor, trait policies,
   * limits, audit) are the host's; a node decides when and with what. Outside a store (for
   * example in `weft validate`) these return -1 with an error. */

  /* Makes the live profile holding identifier (type, value) the event's profile ($.profile_id).
   * When none holds it: with `create` non-zero a new profile is created holding it; otherwise
   * WEFT_MISSING is returned and the event is left alone. Returns WEFT_FOUND (found or created),
   * WEFT_MISSING, WEFT_IGNORED (an operator blocked or removed the identifier: nothing is
   * resolved or created; treat it as a missing id), or -1 with `error` filled. */
  int (*profile_resolve)(weft_event* event, const char* type, size_t type_length, const char* value, size_t value_length,
                         int create, weft_error* error);

  /* Sets trait `name` of the event's profile to the value `path` selects or, when `path` is
   * NULL, to the string `literal`. A missing or null value leaves the trait alone; with
   * `if_missing` non-zero an existing trait is kept. Returns 1 when the trait changed, 0 when
   * not, -1 with `error` filled (for example when the event has no profile). The host gathers
   * the traits one `process` call sets and writes the profile once when it returns; a store
   * failure then fails the event's batch, as it would during the call. */
  int (*profile_set_trait)(weft_event* event, const char* name, size_t name_length, const weft_path* path, const char* literal,
                           size_t literal_length, int if_missing, weft_error* error);

  /* Adds identifier (type, value) to the event's profile. When another profile holds it, the
   * two merge (unless a limit in `options` forbids it) and the survivor becomes the event's
   * profile. Returns one of WEFT_IDENTIFY_* (IGNORED when an operator blocked or removed the
   * identifier: treat it as missing), or -1 with `error` filled. */
  int (*profile_identify)(weft_event* event, const char* type, size_t type_length, const char* value, size_t value_length,
                          const struct weft_identify_options* options, weft_error* error);

  /* -- since ABI 1.1: present when struct_size covers it -- */

  /* Returns 1 when one of the patterns of `list` (from blocklist_compile, here a plain pattern
   * list) matches all of `text`, else 0. Linear in `length`; never recurses; any thread. */
  int (*patterns_match)(const weft_blocklist* list, const char* text, size_t length);

  /* -- since ABI 1.2: present when struct_size covers it -- */

  /* Optional for the plugin, during `create` only: gives this node its own ports, replacing the
   * descriptor's `ports` for it (a `switch` has one port per configured case). `process` then
   * returns indexes into `names`, and `on:` routes are checked against them. Names follow the
   * descriptor's rules ([a-z][a-z0-9_]*, unique, not "error"); the host copies them. Returns
   * 0, or -1 with `error` filled (the node should then fail its `create`). */
  int (*config_declare_ports)(const weft_config* config, const char* const* names, size_t count, weft_error* error);

  /* Optional for the plugin, during `create` only, before it returns NULL: says that the error
   * concerns the config value at `name` (a key path as for config_get, e.g. "cases[1].port"),
   * so the host reports it at that value's file:line:column instead of the node's. An unknown
   * name leaves the error at the node. */
  void (*config_error_at)(const weft_config* config, const char* name);

  /* -- since ABI 1.3: present when struct_size covers it -- */

  /* How many nodes `path` selects in the event (0: missing). */
  size_t (*event_count)(weft_event* event, const weft_path* path);

  /* event_read, event_read_id and event_read_json for node `index` of the nodelist (0 is the
   * first, which the functions above read). WEFT_MISSING past the end. The host keeps the
   * nodelist of the last path read this way until the event is written to or `process`
   * returns, so a loop over one path's indexes evaluates it once. */
  int (*event_read_at)(weft_event* event, const weft_path* path, size_t index, weft_value* out);
  int (*event_read_id_at)(weft_event* event, const weft_path* path, size_t index, const weft_blocklist* blocked,
                          const char** text, size_t* length);
  int (*event_read_json_at)(weft_event* event, const weft_path* path, size_t index, const char** json, size_t* length);

  /* profile_identify for the `count` (at least one) identifiers (type, values[i]) one event
   * carries, all or nothing: the limits in `options` are checked for the profile they would
   * all make together, and WEFT_IDENTIFY_LIMITED changes nothing. Otherwise each is added or
   * merged in turn: MERGED if any merged, else ADDED if any was added, else KNOWN; IGNORED when
   * every one is blocked or removed. Pass each value once. */
  int (*profile_identify_all)(weft_event* event, const char* type, size_t type_length, const char* const* values,
                              const size_t* lengths, size_t count, const struct weft_identify_options* options,
                              weft_error* error);

  /* -- since ABI 1.4: present when struct_size covers it -- */

  /* During `create`: the config value at `name` (a key path as for config_get) as JSON text,
   * valid during `create`. WEFT_FOUND or WEFT_MISSING. */
  int (*config_json)(const weft_config* config, const char* name, const char** json, size_t* length);

  /* Asks for a message to destination `destination` (SPEC 17) of `type`, with `data` (JSON
   * text; NULL: the default body, the event and its profile as the API shows them). It is
   * written to the outbox in the event's transaction if the event is stored, and never
   * otherwise. 0, or -1 with `error` filled (data that is not JSON). */
  int (*event_deliver)(weft_event* event, const char* destination, size_t destination_length, const char* type, size_t type_length,
                       const char* data, size_t data_length, weft_error* error);
} weft_host;

/* ---- The descriptor a plugin returns ---------------------------------------------------- */

typedef enum weft_plugin_kind {
  WEFT_KIND_NODE = 0,    /* an ordinary workflow node */
  WEFT_KIND_TRIGGER = 1  /* receives the request; must be the first node of a workflow */
} weft_plugin_kind;

/* `process` returns the index of a port in `ports`, or this to send the event to `error`
 * (with `error` filled). Any other value is treated as an error by the host. */
#define WEFT_PORT_ERROR (-1)

typedef struct weft_plugin_descriptor {
  uint32_t struct_size; /* required: sizeof(weft_plugin_descriptor) as the plugin knew it */
  uint32_t abi_major;   /* required: WEFT_ABI_MAJOR */
  uint32_t abi_minor;   /* required: WEFT_ABI_MINOR */

  const char* name;        /* required; [a-z][a-z0-9_]*, unique among loaded plugins */
  const char* version;     /* required; the plugin's own version, e.g. "1.2.0" */
  const char* description; /* required; one line */
  weft_plugin_kind kind;

  const weft_config_field* fields; /* the config table; may be NULL when field_count is 0 */
  size_t field_count;

  /* The ports `process` may return, by index; at least one. `error` is implicit. */
  const char* const* ports;
  size_t port_count;

  /* Required. Builds a node from its validated config. Returns an opaque node pointer owned by
   * the plugin until `destroy`, or NULL with `error` filled (the workflow is then refused).
   * `host` outlives the node. `config` is valid only during this call. Must not throw. */
  void* (*create)(const weft_host* host, const weft_config* config, weft_error* error);

  /* Required. Processes one event; see WEFT_PORT_ERROR. May run concurrently on one node (see
   * the top of this file). Must not throw. */
  int (*process)(void* node, weft_event* event, weft_error* error);

  /* Required. Frees the node. Called once, after the last `process` has returned. */
  void (*destroy)(void* node);
} weft_plugin_descriptor;

/* The entry point every plugin exports. Returns a descriptor with static storage duration
 * (never freed), or NULL if the plugin cannot run here. Called once per load, from one thread. */
typedef const weft_plugin_descriptor* (*weft_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* WEFT_PLUGIN_H */
