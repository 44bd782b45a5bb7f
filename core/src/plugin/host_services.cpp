#include "weft/plugin/host_services.hpp"

#include "weft/event/event_document.hpp"
#include "weft/identity/identity.hpp"
#include "weft/event/json.hpp"
#include "weft/plugin/node_instance.hpp"

#include <Poco/Logger.h>

#include <charconv>
#include <cstring>
#include <new>

namespace weft {
namespace {

// JSON nesting a node may write in one value; the same bound as a webhook body.
constexpr std::size_t max_written_depth = 64;

void set_error(weft_error* error, const std::string& message) {
  if (!error) return;
  const std::size_t n = std::min(message.size(), std::size_t{WEFT_ERROR_CAPACITY - 1});
  std::memcpy(error->message, message.data(), n);
  error->message[n] = '\0';
}

void fill(const rapidjson::Value& v, weft_value* out) {
  *out = weft_value{};
  if (v.IsNull()) {
    out->type = WEFT_TYPE_NULL;
  } else if (v.IsBool()) {
    out->type = WEFT_TYPE_BOOL;
    out->boolean = v.GetBool() ? 1 : 0;
  } else if (v.IsInt64()) {
    out->type = WEFT_TYPE_INT;
    out->integer = v.GetInt64();
  } else if (v.IsNumber()) {
    out->type = WEFT_TYPE_DOUBLE;
    out->number = v.GetDouble();
  } else if (v.IsString()) {
    out->type = WEFT_TYPE_STRING;
    out->string = v.GetString();
    out->length = v.GetStringLength();
  } else if (v.IsArray()) {
    out->type = WEFT_TYPE_ARRAY;
    out->length = v.Size();
  } else {
    out->type = WEFT_TYPE_OBJECT;
    out->length = v.MemberCount();
  }
}

// Follows a key path: keys separated by '.', each optionally followed by [index] steps
// ("cases[2].port", "cases[2].in[0]").
const rapidjson::Value* config_lookup(const weft_config* config, const char* name) {
  if (!config || !config->root || !name) return nullptr;
  const rapidjson::Value* current = config->root;
  std::string_view rest(name);
  while (true) {
    const std::size_t dot = rest.find('.');
    std::string_view step = rest.substr(0, dot);
    const std::size_t bracket = step.find('[');
    if (!current->IsObject()) return nullptr;
    auto it = find_member(*current, step.substr(0, bracket));
    if (it == current->MemberEnd()) return nullptr;
    current = &it->value;
    for (step.remove_prefix(bracket == std::string_view::npos ? step.size() : bracket); !step.empty();) {
      const std::size_t close = step.find(']');
      std::size_t index = 0;
      const auto digits = step.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (step[0] != '[' || close == std::string_view::npos || digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
          !current->IsArray() || index >= current->Size())
        return nullptr;
      current = &(*current)[static_cast<rapidjson::SizeType>(index)];
      step.remove_prefix(close + 1);
    }
    if (dot == std::string_view::npos) return current;
    rest.remove_prefix(dot + 1);
  }
}

void log_line(const weft_host* host, weft_log_level level, const char* message, size_t length) {
  static Poco::Logger& logger = Poco::Logger::get("weft.node");
  try {
    const auto* label = static_cast<const std::string*>(host->host_data);
    const std::string line = *label + ": " + std::string(message, length);
    switch (level) {
      case WEFT_LOG_DEBUG: logger.debug(line); break;
      case WEFT_LOG_INFO: logger.information(line); break;
      case WEFT_LOG_WARNING: logger.warning(line); break;
      default: logger.error(line); break;
    }
  } catch (...) {  // logging never fails a node
  }
}

int config_get(const weft_config* config, const char* name, weft_value* out) {
  const rapidjson::Value* v = config_lookup(config, name);
  if (!v) return WEFT_MISSING;
  fill(*v, out);
  return WEFT_FOUND;
}

int config_entry(const weft_config* config, const char* name, size_t index, weft_value* key, weft_value* value) {
  const rapidjson::Value* v = config_lookup(config, name);
  if (!v) return WEFT_MISSING;
  if (v->IsArray()) {
    if (index >= v->Size()) return WEFT_MISSING;
    *key = weft_value{};
    fill((*v)[static_cast<rapidjson::SizeType>(index)], value);
    return WEFT_FOUND;
  }
  if (v->IsObject()) {
    if (index >= v->MemberCount()) return WEFT_MISSING;
    const auto& member = *(v->MemberBegin() + static_cast<std::ptrdiff_t>(index));
    fill(member.name, key);
    fill(member.value, value);
    return WEFT_FOUND;
  }
  return WEFT_MISSING;
}

int config_declare_ports(const weft_config* config, const char* const* names, size_t count, weft_error* error) {
  if (!config || !config->declared_ports) {
    set_error(error, "config_declare_ports may only be called during create");
    return -1;
  }
  try {
    std::vector<std::string> ports;
    for (size_t i = 0; i < count; ++i) ports.emplace_back(names && names[i] ? names[i] : "");
    if (const std::string problem = port_names_problem(ports); !problem.empty()) {
      set_error(error, "the node " + problem);
      return -1;
    }
    *config->declared_ports = std::move(ports);
    return 0;
  } catch (const std::exception& e) {
    set_error(error, e.what());
    return -1;
  }
}

void config_error_at(const weft_config* config, const char* name) {
  if (!config || !config->error_at || !name) return;
  try {
    *config->error_at = name;
  } catch (...) {  // the error then stays at the node
  }
}

int config_json(const weft_config* config, const char* name, const char** json, size_t* length) {
  const rapidjson::Value* value = config_lookup(config, name);
  if (!value || !json || !length) return WEFT_MISSING;
  try {
    const std::string& text = config->texts.emplace_back(to_json(*value));
    *json = text.data();
    *length = text.size();
    return WEFT_FOUND;
  } catch (...) {
    return WEFT_MISSING;
  }
}

weft_path* path_compile(const char* text, size_t length, weft_error* error) {
  try {
    return new weft_path{JsonPath::parse(std::string_view(text, length))};
  } catch (const std::exception& e) {
    set_error(error, "invalid JSONPath '" + std::string(text, length) + "': " + e.what());
  }
  return nullptr;
}

void path_free(weft_path* path) { delete path; }

// Node `index` of the nodelist `path` selects, or nullptr. A singular path is read directly;
// any other is evaluated once and kept in the event for the reads of its other nodes. A query
// over the limits is a host failure (the node's error port), not a missing value.
const rapidjson::Value* node_at(weft_event* event, const weft_path* path, size_t index) {
  try {
    if (path->path.singular()) return index == 0 ? event->document->select(path->path) : nullptr;
    if (event->selected_path != path) {
      event->selected_path = nullptr;
      event->selected.clear();
      path->path.select_all(event->document->root(), event->selected);
      event->selected_path = path;
    }
    return index < event->selected.size() ? event->selected[index] : nullptr;
  } catch (const std::exception& e) {
    event->host_failure = "weft could not read " + path->path.text() + ": " + e.what();
    return nullptr;
  }
}

size_t event_count(weft_event* event, const weft_path* path) {
  if (!node_at(event, path, 0)) return 0;
  return path->path.singular() ? 1 : event->selected.size();
}

int event_read_at(weft_event* event, const weft_path* path, size_t index, weft_value* out) {
  const rapidjson::Value* v = node_at(event, path, index);
  if (!v) return WEFT_MISSING;
  fill(*v, out);
  return WEFT_FOUND;
}

int event_read(weft_event* event, const weft_path* path, weft_value* out) { return event_read_at(event, path, 0, out); }

int event_read_id_at(weft_event* event, const weft_path* path, size_t index, const weft_blocklist* blocked, const char** text,
                     size_t* length) {
  static const IdRules default_rules;
  try {
    const rapidjson::Value* value = node_at(event, path, index);
    std::string scratch;
    auto id = (blocked ? blocked->rules : default_rules).read(value, scratch);
    if (!id) return WEFT_MISSING;
    // A string id points into the document; a number's text must outlive this call.
    *text = value->IsString() ? id->data() : event->scratch.emplace_back(*id).data();
    *length = id->size();
    return WEFT_FOUND;
  } catch (const std::exception& e) {
    event->host_failure = "weft could not read " + path->path.text() + ": " + e.what();
    return WEFT_MISSING;
  }
}

int event_read_id(weft_event* event, const weft_path* path, const weft_blocklist* blocked, const char** text, size_t* length) {
  return event_read_id_at(event, path, 0, blocked, text, length);
}

int event_read_json_at(weft_event* event, const weft_path* path, size_t index, const char** json, size_t* length) {
  try {
    const rapidjson::Value* v = node_at(event, path, index);
    if (!v) return WEFT_MISSING;
    const std::string& kept = event->scratch.emplace_back(to_json(*v));
    *json = kept.data();
    *length = kept.size();
    return WEFT_FOUND;
  } catch (const std::exception& e) {
    event->host_failure = "weft could not read " + path->path.text() + " as JSON: " + e.what();
    return WEFT_MISSING;
  }
}

int event_read_json(weft_event* event, const weft_path* path, const char** json, size_t* length) {
  return event_read_json_at(event, path, 0, json, length);
}

int event_write_string(weft_event* event, const weft_path* path, const char* text, size_t length, weft_error* error) {
  try {
    rapidjson::Value value(text, static_cast<rapidjson::SizeType>(length), event->document->allocator());
    event->forget_selection();
    event->document->write(path->path, std::move(value));
    return 0;
  } catch (const std::exception& e) {
    set_error(error, e.what());
  }
  return -1;
}

int event_write_json(weft_event* event, const weft_path* path, const char* json, size_t length, weft_error* error) {
  try {
    rapidjson::Value value;
    const JsonParseResult parsed = parse_json(std::string_view(json, length), value, event->document->allocator(), max_written_depth);
    if (!parsed.ok) {
      set_error(error, "cannot write " + path->path.text() + ": " + parsed.message);
      return -1;
    }
    event->forget_selection();
    event->document->write(path->path, std::move(value));
    return 0;
  } catch (const std::exception& e) {
    set_error(error, e.what());
  }
  return -1;
}

weft_blocklist* blocklist_compile(const char* const* patterns, size_t count, weft_error* error) {
  try {
    std::vector<std::string> list(patterns, patterns + count);
    return new weft_blocklist{IdRules(list)};
  } catch (const std::exception& e) {
    set_error(error, e.what());
  }
  return nullptr;
}

void blocklist_free(weft_blocklist* blocklist) { delete blocklist; }

int patterns_match(const weft_blocklist* list, const char* text, size_t length) {
  return list && list->rules.matches(std::string_view(text, length)) ? 1 : 0;
}

int event_set_idempotency_key(weft_event* event, const char* key, size_t length, weft_error* error) {
  try {
    if (length == 0) throw std::runtime_error("an idempotency key cannot be empty");
    event->document->set_idempotency_key(std::string(key, length));
    return 0;
  } catch (const std::exception& e) {
    set_error(error, e.what());
  }
  return -1;
}

Identity& identity_of(weft_event* event) {
  if (!event->identity) throw std::runtime_error("profiles are not available here: no store is open");
  return *event->identity;
}

// When the event was received: what identity rules date it by (SPEC 2, 13). An event built
// without a stamp (tests, validate) counts as received now.
std::int64_t received_at(const weft_event* event) {
  const std::int64_t at = event->document->received_at();
  return at ? at : event->now;
}

// The event's profile id, or an error naming what the node needed it for.
std::string event_profile(weft_event* event) {
  const std::string_view id = event->document->string("profile_id");
  if (id.empty()) throw std::runtime_error("the event has no profile (put a profile_grouper before this node)");
  return std::string(id);
}

// Runs a profile service for a plugin. A store failure is also kept on the event: it is not
// the node's fault, and the executor rethrows it for the batch (see weft_event).
template <class Service>
int profile_call(weft_event* event, weft_error* error, Service&& service) {
  try {
    return service();
  } catch (const StoreError& e) {
    event->store_failure = std::current_exception();
    set_error(error, e.what());
  } catch (const std::exception& e) {
    set_error(error, e.what());
  }
  return -1;
}

int profile_resolve(weft_event* event, const char* type, size_t type_length, const char* value, size_t value_length, int create,
                    weft_error* error) {
  return profile_call(event, error, [&] {
    const Resolved resolved = identity_of(event).resolve({type, type_length}, {value, value_length}, create != 0, received_at(event));
    if (resolved.suppressed) event->suppressed = true;
    if (resolved.ignored || resolved.suppressed) return WEFT_IGNORED;
    if (!resolved.profile) return WEFT_MISSING;
    event->forget_selection();
    event->document->set_string("profile_id", *resolved.profile);
    return WEFT_FOUND;
  });
}

int profile_set_trait(weft_event* event, const char* name, size_t name_length, const weft_path* path, const char* literal,
                      size_t literal_length, int if_missing, weft_error* error) {
  return profile_call(event, error, [&] {
    Identity& identity = identity_of(event);
    const std::string profile = event_profile(event);
    if (path) {
      const rapidjson::Value* value = node_at(event, path, 0);
      if (!value) return 0;
      return identity.set_trait(profile, {name, name_length}, *value, if_missing != 0, event->now) ? 1 : 0;
    }
    const rapidjson::Value value(rapidjson::StringRef(literal, literal_length));
    return identity.set_trait(profile, {name, name_length}, value, if_missing != 0, event->now) ? 1 : 0;
  });
}

// profile_identify and profile_identify_all: the identifiers `ids` (of one type) on the
// event's profile, by Identity::identify_all.
int identify_on_profile(weft_event* event, const std::vector<Identifier>& ids, const weft_identify_options* options, weft_error* error) {
  return profile_call(event, error, [&] {
    Identity& identity = identity_of(event);
    std::string profile = event_profile(event);
    if (!options || options->struct_size < sizeof(weft_identify_options)) throw std::runtime_error("weft_identify_options is too small");
    IdentifyOptions rules;
    rules.traits = options->traits == WEFT_TRAITS_MOST_RECENT ? TraitPolicy::most_recent : TraitPolicy::keep_survivor;
    rules.max_profiles = options->max_profiles;
    rules.max_identifiers_of_type = options->max_identifiers_of_type;
    const IdentifyResult result = identity.identify_all(profile, ids, rules, event->document->string("id"), received_at(event), event->now);
    event->forget_selection();
    event->document->set_string("profile_id", profile);
    switch (result) {
      case IdentifyResult::added: return WEFT_IDENTIFY_ADDED;
      case IdentifyResult::known: return WEFT_IDENTIFY_KNOWN;
      case IdentifyResult::merged: return WEFT_IDENTIFY_MERGED;
      case IdentifyResult::limited: return WEFT_IDENTIFY_LIMITED;
      case IdentifyResult::ignored: return WEFT_IDENTIFY_IGNORED;
      case IdentifyResult::suppressed: event->suppressed = true; return WEFT_IDENTIFY_IGNORED;
    }
    return -1;
  });
}

int profile_identify(weft_event* event, const char* type, size_t type_length, const char* value, size_t value_length,
                     const weft_identify_options* options, weft_error* error) {
  return identify_on_profile(event, {Identifier{std::string(type, type_length), std::string(value, value_length)}}, options, error);
}

int event_deliver(weft_event* event, const char* destination, size_t destination_length, const char* type, size_t type_length,
                  const char* data, size_t data_length, weft_error* error) {
  try {
    QueuedMessage message{std::string(destination, destination_length), std::string(type, type_length)};
    if (data) {
      rapidjson::Document parsed;
      if (const JsonParseResult r = parse_json(std::string_view(data, data_length), parsed, parsed.GetAllocator(), max_written_depth); !r.ok) {
        set_error(error, "the message's data is not JSON: " + r.message);
        return -1;
      }
      message.data = std::string(data, data_length);
    }
    event->document->messages().push_back(std::move(message));
    return 0;
  } catch (const std::exception& e) {
    set_error(error, e.what());
  }
  return -1;
}

int profile_identify_all(weft_event* event, const char* type, size_t type_length, const char* const* values, const size_t* lengths,
                         size_t count, const weft_identify_options* options, weft_error* error) {
  std::vector<Identifier> ids;
  try {
    for (size_t i = 0; i < count; ++i) ids.push_back(Identifier{std::string(type, type_length), std::string(values[i], lengths[i])});
  } catch (const std::exception& e) {
    set_error(error, e.what());
    return -1;
  }
  if (ids.empty()) {
    set_error(error, "profile_identify_all needs at least one identifier");
    return -1;
  }
  return identify_on_profile(event, ids, options, error);
}

}  // namespace

weft_host make_host_table(const std::string* label) {
  weft_host host{};
  host.struct_size = sizeof(weft_host);
  host.abi_major = WEFT_ABI_MAJOR;
  host.abi_minor = WEFT_ABI_MINOR;
  host.host_data = const_cast<std::string*>(label);
  host.log = &log_line;
  host.config_get = &config_get;
  host.config_entry = &config_entry;
  host.path_compile = &path_compile;
  host.path_free = &path_free;
  host.event_read = &event_read;
  host.event_read_id = &event_read_id;
  host.event_read_json = &event_read_json;
  host.event_write_string = &event_write_string;
  host.event_write_json = &event_write_json;
  host.blocklist_compile = &blocklist_compile;
  host.blocklist_free = &blocklist_free;
  host.event_set_idempotency_key = &event_set_idempotency_key;
  host.profile_resolve = &profile_resolve;
  host.profile_set_trait = &profile_set_trait;
  host.profile_identify = &profile_identify;
  host.patterns_match = &patterns_match;
  host.config_declare_ports = &config_declare_ports;
  host.config_error_at = &config_error_at;
  host.event_count = &event_count;
  host.event_read_at = &event_read_at;
  host.event_read_id_at = &event_read_id_at;
  host.event_read_json_at = &event_read_json_at;
  host.profile_identify_all = &profile_identify_all;
  host.config_json = &config_json;
  host.event_deliver = &event_deliver;
  return host;
}

}  // namespace weft
