// weft C++ SDK — header-only, on top of the C ABI in <weft/plugin.h>.
//
// A plugin is one class and one line:
//
//   class Shout {
//   public:
//     enum class Port { out, missing };
//     static constexpr const char* ports[] = {"out", "missing"};
//     static constexpr weft_config_field fields[] = {
//         weft::required("path", WEFT_FIELD_JSONPATH, "where the text is"),
//     };
//     void configure(const weft::Config& config) { path_ = config.path("path"); }
//     Port process(weft::Event& event) const { ... return Port::out; }
//   private:
//     weft::Path path_;
//   };
//   WEFT_PLUGIN(Shout, "shout", "1.0.0", "Upper-cases a field")
//
// Exceptions thrown by configure or process are caught here and reported to the host as
// errors (a refused workflow, or the event's `error` port); they never cross the ABI.
// `process` must be const: the host may call it from several threads at once.
#ifndef WEFT_SDK_HPP
#define WEFT_SDK_HPP

#include <weft/plugin.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace weft {

// Thrown by the SDK when the host reports a failure; a plugin may throw it (or any
// std::exception) itself: the message reaches the user.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Thrown by configure about one config value: the user sees the error at that value's
// file:line:column. `key` is a key path as Config reads it ("cases[1].port").
class ConfigError : public Error {
public:
  ConfigError(std::string key, const std::string& message) : Error(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

private:
  std::string key_;
};

// The port of a node that declares its own ports (Config::declare_ports): its index in the
// declared list. A node class with `using Port = weft::PortIndex;` returns these from process.
struct PortIndex {
  std::size_t index;
};

// A SCALAR config value as YAML typed it: INT, DOUBLE, BOOL or STRING. `text` is the string,
// or the integer in decimal, or true/false; empty for a DOUBLE.
struct ConfigValue {
  weft_type type = WEFT_TYPE_NULL;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string text;
};

// ---- config table helpers ----------------------------------------------------------------

constexpr weft_config_field required(const char* name, weft_field_type type, const char* description) {
  return weft_config_field{name, type, 1, nullptr, nullptr, description, nullptr, 0};
}

constexpr weft_config_field optional(const char* name, weft_field_type type, const char* description,
                                     const char* default_value = nullptr) {
  return weft_config_field{name, type, 0, default_value, nullptr, description, nullptr, 0};
}

// An ENUM field: `choices` like "none|lower|sha256".
constexpr weft_config_field choice(const char* name, const char* choices, const char* default_value,
                                   const char* description) {
  return weft_config_field{name, WEFT_FIELD_ENUM, 0, default_value, choices, description, nullptr, 0};
}

// An OBJECT field whose keys are described by `fields`.
template <std::size_t N>
constexpr weft_config_field object(const char* name, const weft_config_field (&fields)[N], const char* description) {
  return weft_config_field{name, WEFT_FIELD_OBJECT, 0, nullptr, nullptr, description, fields, N};
}

// An OBJECT_LIST field (plugin ABI 1.2): a list of objects whose keys are `fields`; read
// entry i's keys as "name[i].key".
template <std::size_t N>
constexpr weft_config_field object_list(const char* name, const weft_config_field (&fields)[N], const char* description,
                                        bool is_required = false) {
  return weft_config_field{name, WEFT_FIELD_OBJECT_LIST, is_required ? 1 : 0, nullptr, nullptr, description, fields, N};
}

// The JSONPath of member `name` under `parent` (e.g. "$.properties"), for any name: bracket
// notation with quotes and backslashes escaped.
inline std::string member_path(std::string_view parent, std::string_view name) {
  std::string path(parent);
  path += "['";
  for (char c : name) {
    if (c == '\'' || c == '\\') path += '\\';
    path += c;
  }
  return path + "']";
}

// ---- host objects ------------------------------------------------------------------------

namespace detail {
inline void set_error(weft_error* error, std::string_view message) noexcept {
  const std::size_t n = message.size() < WEFT_ERROR_CAPACITY - 1 ? message.size() : WEFT_ERROR_CAPACITY - 1;
  std::memcpy(error->message, message.data(), n);
  error->message[n] = '\0';
}
}  // namespace detail

// A compiled JSONPath. Move-only; frees itself.
class Path {
public:
  Path() = default;
  Path(const weft_host* host, weft_path* path) : host_(host), path_(path) {}
  Path(Path&& other) noexcept : host_(other.host_), path_(std::exchange(other.path_, nullptr)) {}
  Path& operator=(Path&& other) noexcept {
    if (this != &other) {
      reset();
      host_ = other.host_;
      path_ = std::exchange(other.path_, nullptr);
    }
    return *this;
  }
  Path(const Path&) = delete;
  Path& operator=(const Path&) = delete;
  ~Path() { reset(); }

  explicit operator bool() const { return path_ != nullptr; }
  const weft_path* get() const { return path_; }

private:
  void reset() {
    if (path_) host_->path_free(path_);
    path_ = nullptr;
  }
  const weft_host* host_ = nullptr;
  weft_path* path_ = nullptr;
};

// Compiled regexes (RE2 syntax, each matched against a whole value): a node's `blocked:` id
// rules, or any pattern list it matches values against. Move-only; frees itself.
class Patterns {
public:
  Patterns() = default;
  Patterns(const weft_host* host, weft_blocklist* list) : host_(host), list_(list) {}
  Patterns(Patterns&& other) noexcept : host_(other.host_), list_(std::exchange(other.list_, nullptr)) {}
  Patterns& operator=(Patterns&& other) noexcept {
    if (this != &other) {
      reset();
      host_ = other.host_;
      list_ = std::exchange(other.list_, nullptr);
    }
    return *this;
  }
  Patterns(const Patterns&) = delete;
  Patterns& operator=(const Patterns&) = delete;
  ~Patterns() { reset(); }

  // Null when the config named no list (as id rules: the default blocklist).
  const weft_blocklist* get() const { return list_; }

  // Whether one pattern matches all of `text`; false for an empty Patterns. Linear in the
  // text's length. Needs a host of ABI 1.1 or later.
  bool matches(std::string_view text) const {
    if (!list_) return false;
    if (host_->struct_size < offsetof(weft_host, patterns_match) + sizeof(host_->patterns_match) || !host_->patterns_match)
      throw Error("this weft host is too old to match patterns (it needs plugin ABI 1.1)");
    return host_->patterns_match(list_, text.data(), text.size()) == 1;
  }

private:
  void reset() {
    if (list_) host_->blocklist_free(list_);
    list_ = nullptr;
  }
  const weft_host* host_ = nullptr;
  weft_blocklist* list_ = nullptr;
};

// The name id rules have in event.id(path, blocked).
using Blocklist = Patterns;

// A config value that is either a JSONPath (it started with '$') or a literal string.
struct PathOrLiteral {
  Path path;            // set when the value is a JSONPath
  std::string literal;  // otherwise the literal
};

// The host services a node may use for its whole life.
class Host {
public:
  explicit Host(const weft_host* host) : host_(host) {}

  void log(weft_log_level level, std::string_view message) const { host_->log(host_, level, message.data(), message.size()); }

  Path compile(std::string_view text) const {
    weft_error error{};
    weft_path* path = host_->path_compile(text.data(), text.size(), &error);
    if (!path) throw Error(error.message);
    return Path(host_, path);
  }

  const weft_host* abi() const { return host_; }

private:
  const weft_host* host_;
};

// A node's validated config, during `configure` only. Defaults are already filled in.
class Config {
public:
  Config(const weft_host* host, const weft_config* config) : host_(host), config_(config) {}

  const Host& host() const { return host_; }

  bool has(const char* name) const {
    weft_value value{};
    return host_.abi()->config_get(config_, name, &value) == WEFT_FOUND;
  }

  // The string, JSONPath, enum or path-or-literal value at `name`, if present.
  std::optional<std::string> string(const char* name) const {
    weft_value value{};
    if (host_.abi()->config_get(config_, name, &value) != WEFT_FOUND || value.type != WEFT_TYPE_STRING) return std::nullopt;
    return std::string(value.string, value.length);
  }

  std::string string_or(const char* name, std::string fallback) const {
    auto value = string(name);
    return value ? std::move(*value) : std::move(fallback);
  }

  // A TEMPLATE field as JSON text, if present. Needs a host of ABI 1.4.
  std::optional<std::string> json(const char* name) const {
    const weft_host* abi = host_.abi();
    if (abi->struct_size < offsetof(weft_host, config_json) + sizeof(abi->config_json) || !abi->config_json)
      throw Error("this weft host is too old for TEMPLATE fields (it needs plugin ABI 1.4)");
    const char* text = nullptr;
    std::size_t length = 0;
    if (abi->config_json(config_, name, &text, &length) != WEFT_FOUND) return std::nullopt;
    return std::string(text, length);
  }

  // An INTEGER field; throws when absent (give it a default or make it required).
  std::int64_t integer(const char* name) const { return scalar(name, WEFT_TYPE_INT).integer; }

  // A BOOLEAN field; throws when absent.
  bool boolean(const char* name) const { return scalar(name, WEFT_TYPE_BOOL).boolean != 0; }

  // A JSONPATH field, compiled; an empty Path when absent.
  Path path(const char* name) const {
    auto text = string(name);
    return text ? host_.compile(*text) : Path();
  }

  // A PATH_OR_LITERAL field; throws when absent.
  PathOrLiteral path_or_literal(const char* name) const {
    auto text = string(name);
    if (!text) throw Error(std::string("config field '") + name + "' is missing");
    PathOrLiteral result;
    if (!text->empty() && (*text)[0] == '$')
      result.path = host_.compile(*text);
    else
      result.literal = std::move(*text);
    return result;
  }

  // A REGEX_LIST field's patterns.
  std::vector<std::string> list(const char* name) const {
    std::vector<std::string> items;
    weft_value key{}, value{};
    for (std::size_t i = 0; host_.abi()->config_entry(config_, name, i, &key, &value) == WEFT_FOUND; ++i)
      items.emplace_back(value.string, value.length);
    return items;
  }

  // A MAP field's entries, in file order.
  std::vector<std::pair<std::string, std::string>> map(const char* name) const {
    std::vector<std::pair<std::string, std::string>> entries;
    weft_value key{}, value{};
    for (std::size_t i = 0; host_.abi()->config_entry(config_, name, i, &key, &value) == WEFT_FOUND; ++i)
      entries.emplace_back(std::string(key.string, key.length), std::string(value.string, value.length));
    return entries;
  }

  // A NUMBER field (or INTEGER) as a double; throws when absent.
  double number(const char* name) const {
    weft_value value{};
    if (host_.abi()->config_get(config_, name, &value) != WEFT_FOUND || (value.type != WEFT_TYPE_INT && value.type != WEFT_TYPE_DOUBLE))
      throw Error(std::string("config field '") + name + "' is missing or not a number");
    return value.type == WEFT_TYPE_INT ? static_cast<double>(value.integer) : value.number;
  }

  // A SCALAR value (a field, or an entry "list[i]" of a SCALAR_LIST), if present.
  std::optional<ConfigValue> value(const std::string& name) const {
    weft_value raw{};
    if (host_.abi()->config_get(config_, name.c_str(), &raw) != WEFT_FOUND) return std::nullopt;
    ConfigValue out;
    out.type = raw.type;
    switch (raw.type) {
      case WEFT_TYPE_STRING: out.text.assign(raw.string, raw.length); break;
      case WEFT_TYPE_INT: out.integer = raw.integer; out.text = std::to_string(raw.integer); break;
      case WEFT_TYPE_DOUBLE: out.number = raw.number; break;
      case WEFT_TYPE_BOOL: out.boolean = raw.boolean != 0; out.text = out.boolean ? "true" : "false"; break;
      default: return std::nullopt;
    }
    return out;
  }

  // How many entries a list field (OBJECT_LIST, SCALAR_LIST, REGEX_LIST) has; 0 when absent.
  std::size_t size(const std::string& name) const {
    weft_value value{};
    if (host_.abi()->config_get(config_, name.c_str(), &value) != WEFT_FOUND || value.type != WEFT_TYPE_ARRAY) return 0;
    return value.length;
  }

  // Gives this node its own ports (plugin ABI 1.2), replacing the plugin's `ports` list for it;
  // process then returns weft::PortIndex into `names`. Throws when the names are not valid
  // ([a-z][a-z0-9_]*, unique, not "error") or the host is older than 1.2.
  void declare_ports(const std::vector<std::string>& names) const {
    const weft_host* abi = host_.abi();
    if (abi->struct_size < offsetof(weft_host, config_declare_ports) + sizeof(abi->config_declare_ports) || !abi->config_declare_ports)
      throw Error("this weft host is too old for ports per node (it needs plugin ABI 1.2)");
    std::vector<const char*> pointers;
    for (const auto& name : names) pointers.push_back(name.c_str());
    weft_error error{};
    if (abi->config_declare_ports(config_, pointers.data(), pointers.size(), &error) != 0) throw Error(error.message);
  }

  // Compiles one regular expression (a REGEX field, or any pattern) as a Patterns of one.
  Patterns pattern(const std::string& regex) const {
    const char* pointer = regex.c_str();
    weft_error error{};
    weft_blocklist* compiled = host_.abi()->blocklist_compile(&pointer, 1, &error);
    if (!compiled) throw Error(error.message);
    return Patterns(host_.abi(), compiled);
  }

  // For the SDK: places a failing configure's error at config value `key`.
  void place_error(const std::string& key) const {
    const weft_host* abi = host_.abi();
    if (abi->struct_size >= offsetof(weft_host, config_error_at) + sizeof(abi->config_error_at) && abi->config_error_at)
      abi->config_error_at(config_, key.c_str());
  }

  // A REGEX_LIST field compiled; an empty Patterns when absent (which, as id rules, means the
  // default blocklist, and matches nothing).
  Patterns patterns(const char* name) const {
    if (!has(name)) return Patterns();
    const std::vector<std::string> patterns = list(name);
    std::vector<const char*> pointers;
    for (const auto& p : patterns) pointers.push_back(p.c_str());
    weft_error error{};
    weft_blocklist* compiled = host_.abi()->blocklist_compile(pointers.data(), pointers.size(), &error);
    if (!compiled) throw Error(error.message);
    return Patterns(host_.abi(), compiled);
  }
  Blocklist blocklist(const char* name) const { return patterns(name); }

private:
  weft_value scalar(const char* name, weft_type type) const {
    weft_value value{};
    if (host_.abi()->config_get(config_, name, &value) != WEFT_FOUND || value.type != type)
      throw Error(std::string("config field '") + name + "' is missing or has another type");
    return value;
  }

  Host host_;
  const weft_config* config_;
};

// The event a node is processing, during `process` only.
class Event {
public:
  Event(const weft_host* host, weft_event* event) : host_(host), event_(event) {}

  // The value at `path`, if the path selects one. Strings live until process returns or the
  // event is written to.
  std::optional<weft_value> read(const Path& path) const {
    weft_value value{};
    if (host_->event_read(event_, path.get(), &value) != WEFT_FOUND) return std::nullopt;
    return value;
  }

  // The value at `path` as an id (SPEC 4 coercion, trimmed, blocked values missing).
  std::optional<std::string_view> id(const Path& path, const Blocklist& blocked = Blocklist()) const {
    const char* text = nullptr;
    std::size_t length = 0;
    if (host_->event_read_id(event_, path.get(), blocked.get(), &text, &length) != WEFT_FOUND) return std::nullopt;
    return std::string_view(text, length);
  }

  // The value at `path` serialised as JSON.
  std::optional<std::string_view> json(const Path& path) const {
    const char* text = nullptr;
    std::size_t length = 0;
    if (host_->event_read_json(event_, path.get(), &text, &length) != WEFT_FOUND) return std::nullopt;
    return std::string_view(text, length);
  }

  // ---- every node a path selects (SPEC 4; needs a host of ABI 1.3) ----
  // The reads above take a nodelist's first node; these read node `index` (0 is the first).

  std::size_t count(const Path& path) const { return nodelists()->event_count(event_, path.get()); }

  std::optional<weft_value> read_at(const Path& path, std::size_t index) const {
    weft_value value{};
    if (nodelists()->event_read_at(event_, path.get(), index, &value) != WEFT_FOUND) return std::nullopt;
    return value;
  }

  std::optional<std::string_view> id_at(const Path& path, std::size_t index, const Blocklist& blocked = Blocklist()) const {
    const char* text = nullptr;
    std::size_t length = 0;
    if (nodelists()->event_read_id_at(event_, path.get(), index, blocked.get(), &text, &length) != WEFT_FOUND) return std::nullopt;
    return std::string_view(text, length);
  }

  std::optional<std::string_view> json_at(const Path& path, std::size_t index) const {
    const char* text = nullptr;
    std::size_t length = 0;
    if (nodelists()->event_read_json_at(event_, path.get(), index, &text, &length) != WEFT_FOUND) return std::nullopt;
    return std::string_view(text, length);
  }

  void write(const Path& path, std::string_view text) {
    weft_error error{};
    if (host_->event_write_string(event_, path.get(), text.data(), text.size(), &error) != 0) throw Error(error.message);
  }

  void write_json(const Path& path, std::string_view json) {
    weft_error error{};
    if (host_->event_write_json(event_, path.get(), json.data(), json.size(), &error) != 0) throw Error(error.message);
  }

  void log(weft_log_level level, std::string_view message) const { host_->log(host_, level, message.data(), message.size()); }

  // Trigger nodes: the key that deduplicates this delivery within its source.
  void set_idempotency_key(std::string_view key) {
    weft_error error{};
    if (host_->event_set_idempotency_key(event_, key.data(), key.size(), &error) != 0) throw Error(error.message);
  }

  // ---- profiles (SPEC 6); changes commit or roll back with the event ----

  enum class Resolved { absent = WEFT_MISSING, found = WEFT_FOUND, ignored = WEFT_IGNORED };

  // Makes the profile holding identifier (type, value) the event's profile, creating it when
  // `create` is set. `absent` when there is none and none was created; `ignored` when an
  // operator blocked or removed the identifier (treat it as a missing id).
  Resolved resolve(std::string_view type, std::string_view value, bool create) {
    weft_error error{};
    const int rc = host_->profile_resolve(event_, type.data(), type.size(), value.data(), value.size(), create ? 1 : 0, &error);
    if (rc < 0) throw Error(error.message);
    return static_cast<Resolved>(rc);
  }
  // The same as a yes or no: whether the event now has that profile.
  bool resolve_profile(std::string_view type, std::string_view value, bool create) { return resolve(type, value, create) == Resolved::found; }

  // Sets a trait of the event's profile from the value at `path` (missing or null: no change).
  bool set_trait(std::string_view name, const Path& path, bool if_missing) {
    return trait(name, path.get(), {}, if_missing);
  }
  // Sets a trait of the event's profile to a string.
  bool set_trait(std::string_view name, std::string_view literal, bool if_missing) { return trait(name, nullptr, literal, if_missing); }

  enum class Identified {
    added = WEFT_IDENTIFY_ADDED,
    known = WEFT_IDENTIFY_KNOWN,
    merged = WEFT_IDENTIFY_MERGED,
    limited = WEFT_IDENTIFY_LIMITED,
    ignored = WEFT_IDENTIFY_IGNORED  // an operator blocked or removed it: treat it as missing
  };

  // Adds identifier (type, value) to the event's profile, merging the profile that holds it.
  Identified identify(std::string_view type, std::string_view value, weft_trait_policy traits, std::int64_t max_profiles,
                      std::int64_t max_identifiers_of_type) {
    weft_identify_options options{sizeof(weft_identify_options), traits, max_profiles, max_identifiers_of_type};
    weft_error error{};
    const int rc = host_->profile_identify(event_, type.data(), type.size(), value.data(), value.size(), &options, &error);
    if (rc < 0) throw Error(error.message);
    return static_cast<Identified>(rc);
  }

  // identify() for several identifiers of one type, all or nothing (see profile_identify_all
  // in plugin.h): `limited` changes nothing. Needs a host of ABI 1.3.
  Identified identify_all(std::string_view type, const std::vector<std::string>& values, weft_trait_policy traits,
                          std::int64_t max_profiles, std::int64_t max_identifiers_of_type) {
    std::vector<const char*> texts;
    std::vector<std::size_t> lengths;
    for (const std::string& value : values) {
      texts.push_back(value.data());
      lengths.push_back(value.size());
    }
    weft_identify_options options{sizeof(weft_identify_options), traits, max_profiles, max_identifiers_of_type};
    weft_error error{};
    const int rc = nodelists()->profile_identify_all(event_, type.data(), type.size(), texts.data(), lengths.data(), texts.size(),
                                                     &options, &error);
    if (rc < 0) throw Error(error.message);
    return static_cast<Identified>(rc);
  }

  // Asks for a message to a destination (SPEC 17), sent if the event is stored: `data` as JSON
  // text, or none for the default body (the event and its profile). Needs a host of ABI 1.4.
  void deliver(std::string_view destination, std::string_view type, const std::optional<std::string>& data) {
    if (host_->struct_size < offsetof(weft_host, event_deliver) + sizeof(host_->event_deliver) || !host_->event_deliver)
      throw Error("this weft host is too old to deliver messages (it needs plugin ABI 1.4)");
    weft_error error{};
    if (host_->event_deliver(event_, destination.data(), destination.size(), type.data(), type.size(), data ? data->data() : nullptr,
                             data ? data->size() : 0, &error) < 0)
      throw Error(error.message);
  }

private:
  // The host table, checked to have the functions of ABI 1.3.
  const weft_host* nodelists() const {
    if (host_->struct_size < offsetof(weft_host, profile_identify_all) + sizeof(host_->profile_identify_all))
      throw Error("this weft host is too old to read nodelists (it needs plugin ABI 1.3)");
    return host_;
  }

  bool trait(std::string_view name, const weft_path* path, std::string_view literal, bool if_missing) {
    weft_error error{};
    const int rc = host_->profile_set_trait(event_, name.data(), name.size(), path, literal.data(), literal.size(), if_missing ? 1 : 0, &error);
    if (rc < 0) throw Error(error.message);
    return rc == 1;
  }

  const weft_host* host_;
  weft_event* event_;
};

// ---- the bridge from a node class to the C descriptor -------------------------------------

namespace detail {

template <class Node>
struct Instance {
  const weft_host* host;
  Node node;
};

template <class Node>
constexpr weft_plugin_kind kind_of() {
  if constexpr (requires { Node::kind; })
    return Node::kind;
  else
    return WEFT_KIND_NODE;
}

template <class Node>
constexpr bool has_port_enum() {
  if constexpr (requires { typename Node::Port; })
    return std::is_enum_v<typename Node::Port> || std::is_same_v<typename Node::Port, PortIndex>;
  else
    return false;
}

template <class Port>
constexpr int port_number(Port port) {
  if constexpr (std::is_same_v<Port, PortIndex>)
    return static_cast<int>(port.index);
  else
    return static_cast<int>(port);
}

template <class Node>
constexpr bool has_port_names() {
  if constexpr (requires { std::size(Node::ports); })
    return std::size(Node::ports) >= 1;
  else
    return false;
}

template <class Node>
void* create(const weft_host* host, const weft_config* config, weft_error* error) noexcept {
  try {
    auto instance = std::make_unique<Instance<Node>>(Instance<Node>{host, Node{}});
    instance->node.configure(Config(host, config));
    return instance.release();
  } catch (const ConfigError& e) {
    Config(host, config).place_error(e.key());
    set_error(error, e.what());
  } catch (const std::exception& e) {
    set_error(error, e.what());
  } catch (...) {
    set_error(error, "configure threw an exception that is not a std::exception");
  }
  return nullptr;
}

template <class Node>
int process(void* opaque, weft_event* event, weft_error* error) noexcept {
  try {
    const auto* instance = static_cast<const Instance<Node>*>(opaque);
    Event view(instance->host, event);
    return port_number(instance->node.process(view));
  } catch (const std::exception& e) {
    set_error(error, e.what());
  } catch (...) {
    set_error(error, "process threw an exception that is not a std::exception");
  }
  return WEFT_PORT_ERROR;
}

template <class Node>
void destroy(void* opaque) noexcept {
  delete static_cast<Instance<Node>*>(opaque);
}

template <class Node>
const weft_plugin_descriptor* descriptor(const char* name, const char* version, const char* description) {
  static_assert(has_port_enum<Node>(),
                "a weft node declares its ports: enum class Port { out, ... }; (or using Port = weft::PortIndex; with declare_ports)");
  static_assert(has_port_names<Node>(),
                "a weft node names its ports in order: static constexpr const char* ports[] = {\"out\", ...};");
  static_assert(std::is_default_constructible_v<Node>, "a weft node must be default-constructible");
  static_assert(requires(Node& node, const Config& config) { node.configure(config); },
                "expected: void configure(const weft::Config&)");
  static_assert(requires(const Node& node, Event& event) {
                  { node.process(event) } -> std::same_as<typename Node::Port>;
                }, "expected: Port process(weft::Event&) const");

  static const weft_plugin_descriptor d = [&] {
    weft_plugin_descriptor out{};
    out.struct_size = sizeof(weft_plugin_descriptor);
    out.abi_major = WEFT_ABI_MAJOR;
    out.abi_minor = WEFT_ABI_MINOR;
    out.name = name;
    out.version = version;
    out.description = description;
    out.kind = kind_of<Node>();
    if constexpr (requires { Node::fields; }) {
      out.fields = std::data(Node::fields);
      out.field_count = std::size(Node::fields);
    }
    out.ports = std::data(Node::ports);
    out.port_count = std::size(Node::ports);
    out.create = &create<Node>;
    out.process = &process<Node>;
    out.destroy = &destroy<Node>;
    return out;
  }();
  return &d;
}

}  // namespace detail
}  // namespace weft

// Registers a node class as this library's plugin. One per library, at the end of the file.
#define WEFT_PLUGIN(NodeClass, name, version, description)                                  \
  extern "C" WEFT_EXPORT const weft_plugin_descriptor* weft_plugin_entry(void) {            \
    return ::weft::detail::descriptor<NodeClass>(name, version, description);               \
  }

#endif  // WEFT_SDK_HPP
