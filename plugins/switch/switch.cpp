// switch: routes an event by a value (SPEC 15). Each case names a port and has one operator;
// the first case that matches wins, and an event no case matches leaves on `default`. The
// node declares its ports from its cases (plugin ABI 1.2), so `on:` routes are checked
// against them when the workflow loads.
#include <weft/sdk.hpp>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* operators[] = {"equals", "matches", "in", "greater_than", "less_than", "exists"};

// The selected value as the cases see it: its string form (strings as they are, integers in
// decimal, true/false; none for other types) and its number, if it is one.
struct Selected {
  bool exists = false;
  std::optional<std::string_view> text;
  std::optional<double> number;
  char digits[24];  // an integer's decimal form, which `text` then points at
};

// An operand of equals or in, as YAML wrote it.
struct Operand {
  std::optional<std::string> text;  // none for a decimal number
  std::optional<double> number;     // for numbers written as numbers
};

bool equal(const Selected& value, const Operand& operand) {
  if (value.text && operand.text && *value.text == *operand.text) return true;
  return value.number && operand.number && *value.number == *operand.number;
}

struct Case {
  enum class Op { equals, matches, in, greater_than, less_than, exists };
  Op op = Op::equals;
  std::vector<Operand> operands;  // equals (one) and in
  weft::Patterns pattern;         // matches
  double bound = 0;               // greater_than, less_than
  bool exists = true;             // exists

  bool matches_value(const Selected& value) const {
    switch (op) {
      case Op::exists: return value.exists == exists;
      case Op::matches: return value.text && pattern.matches(*value.text);
      case Op::greater_than: return value.number && *value.number > bound;
      case Op::less_than: return value.number && *value.number < bound;
      case Op::equals:
      case Op::in:
        for (const Operand& operand : operands)
          if (equal(value, operand)) return true;
        return false;
    }
    return false;
  }
};

Operand operand_of(const weft::ConfigValue& value) {
  Operand operand;
  if (value.type != WEFT_TYPE_DOUBLE) operand.text = value.text;
  if (value.type == WEFT_TYPE_INT) operand.number = static_cast<double>(value.integer);
  if (value.type == WEFT_TYPE_DOUBLE) operand.number = value.number;
  return operand;
}

bool valid_port_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

class Switch {
public:
  using Port = weft::PortIndex;
  // What `weft plugins` shows; each node declares one port per case before `default`.
  static constexpr const char* ports[] = {"default"};
  static constexpr weft_config_field case_fields[] = {
      weft::required("port", WEFT_FIELD_STRING, "the port the event leaves on when this case matches"),
      weft::optional("equals", WEFT_FIELD_SCALAR, "the value, as a string, is this (42 matches 42 and \"42\")"),
      weft::optional("matches", WEFT_FIELD_REGEX, "a regex (RE2) that matches the whole value"),
      weft::optional("in", WEFT_FIELD_SCALAR_LIST, "the value equals one of these"),
      weft::optional("greater_than", WEFT_FIELD_NUMBER, "the value is a number greater than this"),
      weft::optional("less_than", WEFT_FIELD_NUMBER, "the value is a number less than this"),
      weft::optional("exists", WEFT_FIELD_BOOLEAN, "true: the path selects something; false: it selects nothing"),
  };
  static constexpr weft_config_field fields[] = {
      weft::required("value", WEFT_FIELD_PATH_OR_LITERAL, "what to route by: a JSONPath, or a literal"),
      weft::object_list("cases", case_fields, "one port each, in order: the first case that matches wins; else `default`", true),
  };

  void configure(const weft::Config& config) {
    value_ = config.path_or_literal("value");
    const std::size_t count = config.size("cases");
    if (count == 0) throw weft::ConfigError("cases", "a switch needs at least one case");
    std::vector<std::string> names;
    for (std::size_t i = 0; i < count; ++i) {
      const std::string at = "cases[" + std::to_string(i) + "]";
      names.push_back(port_of(config, at, names));
      cases_.push_back(case_of(config, at));
    }
    names.emplace_back("default");
    config.declare_ports(names);
  }

  Port process(weft::Event& event) const {
    Selected value;
    std::optional<weft_value> read;
    if (value_.path) {
      read = event.read(value_.path);
    } else {
      value.text = value_.literal;
    }
    value.exists = !value_.path || read.has_value();
    if (read) describe(*read, value);
    for (std::size_t i = 0; i < cases_.size(); ++i)
      if (cases_[i].matches_value(value)) return Port{i};
    return Port{cases_.size()};
  }

private:
  static void describe(const weft_value& read, Selected& value) {
    switch (read.type) {
      case WEFT_TYPE_STRING: value.text = std::string_view(read.string, read.length); break;
      case WEFT_TYPE_BOOL: value.text = read.boolean ? "true" : "false"; break;
      case WEFT_TYPE_INT: {
        const auto end = std::to_chars(value.digits, value.digits + sizeof value.digits, read.integer).ptr;
        value.text = std::string_view(value.digits, static_cast<std::size_t>(end - value.digits));
        value.number = static_cast<double>(read.integer);
        break;
      }
      case WEFT_TYPE_DOUBLE: value.number = read.number; break;
      default: break;  // null, objects and arrays have neither
    }
  }

  static std::string port_of(const weft::Config& config, const std::string& at, const std::vector<std::string>& earlier) {
    const std::string port = config.string_or((at + ".port").c_str(), "");
    if (!valid_port_name(port))
      throw weft::ConfigError(at + ".port", "invalid port name '" + port + "': expected [a-z][a-z0-9_]*, at most 64 characters");
    if (port == "default") throw weft::ConfigError(at + ".port", "'default' is the port of events no case matches; give this case another name");
    if (port == "error") throw weft::ConfigError(at + ".port", "'error' is the port every node has for failures; give this case another name");
    for (std::size_t j = 0; j < earlier.size(); ++j)
      if (earlier[j] == port)
        throw weft::ConfigError(at + ".port", "port '" + port + "' is named twice (case #" + std::to_string(j + 1) +
                                                  " has it): each case names its own port");
    return port;
  }

  static Case case_of(const weft::Config& config, const std::string& at) {
    std::vector<std::string> present;
    for (const char* op : operators)
      if (config.has((at + "." + op).c_str())) present.emplace_back(op);
    if (present.size() != 1) {
      std::string found;
      for (const auto& op : present) found += (found.empty() ? "" : " and ") + op;
      throw weft::ConfigError(at, "a case needs exactly one of equals, matches, in, greater_than, less_than, exists; found " +
                                      (found.empty() ? std::string("none") : found));
    }
    const std::string& op = present.front();
    const std::string key = at + "." + op;
    Case result;
    if (op == "equals") {
      result.op = Case::Op::equals;
      result.operands.push_back(operand_of(*config.value(key)));
    } else if (op == "in") {
      result.op = Case::Op::in;
      const std::size_t n = config.size(key);
      if (n == 0) throw weft::ConfigError(key, "'in' needs at least one value");
      for (std::size_t i = 0; i < n; ++i) result.operands.push_back(operand_of(*config.value(key + "[" + std::to_string(i) + "]")));
    } else if (op == "matches") {
      result.op = Case::Op::matches;
      result.pattern = config.pattern(config.string_or(key.c_str(), ""));
    } else if (op == "greater_than" || op == "less_than") {
      result.op = op == "greater_than" ? Case::Op::greater_than : Case::Op::less_than;
      result.bound = config.number(key.c_str());
    } else {
      result.op = Case::Op::exists;
      result.exists = config.boolean(key.c_str());
    }
    return result;
  }

  weft::PathOrLiteral value_;
  std::vector<Case> cases_;
};

WEFT_PLUGIN(Switch, "switch", "1.0.0", "Routes an event by a value: one port per case, the first match wins, else default")
