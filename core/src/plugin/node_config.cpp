#include "weft/plugin/node_config.hpp"

#include "weft/event/jsonpath.hpp"
#include "weft/event/regex.hpp"
#include "weft/base/suggest.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

namespace weft {
namespace {

using Allocator = rapidjson::MemoryPoolAllocator<>;

rapidjson::Value make_string(const std::string& text, Allocator& a) {
  return rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
}

std::string join_choices(const std::vector<std::string>& choices) {
  std::string out;
  for (const auto& c : choices) out += (out.empty() ? "" : "|") + c;
  return out;
}

std::string check_path(const std::string& text) {
  try {
    JsonPath::parse(text);
    return "";
  } catch (const JsonPathError& e) {
    return "invalid JSONPath '" + text + "': " + e.what();
  }
}

// YAML's plain true and false, as a boolean.
bool read_bool(const std::string& text, rapidjson::Value& out) {
  if (text == "true" || text == "True" || text == "TRUE") {
    out.SetBool(true);
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    out.SetBool(false);
    return true;
  }
  return false;
}

// A plain scalar that is wholly an integer (int64) or a finite decimal number.
bool read_number(const std::string& text, rapidjson::Value& out) {
  const char* end = text.data() + text.size();
  std::int64_t integer = 0;
  if (auto [ptr, ec] = std::from_chars(text.data(), end, integer); !text.empty() && ec == std::errc() && ptr == end) {
    out.SetInt64(integer);
    return true;
  }
  double number = 0;
  const bool numeric_start = !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-' || text[0] == '.');
  if (auto [ptr, ec] = std::from_chars(text.data(), end, number); numeric_start && ec == std::errc() && ptr == end && std::isfinite(number)) {
    out.SetDouble(number);
    return true;
  }
  return false;
}

// Converts one scalar (as written, `plain` when unquoted) to the field's type. Returns "" and
// sets `out`, or says what was expected.
std::string convert_scalar(const FieldSpec& field, const std::string& text, bool plain, rapidjson::Value& out, Allocator& a) {
  switch (field.type) {
    case WEFT_FIELD_INTEGER: {
      std::int64_t value = 0;
      const char* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(text.data(), end, value);
      if (!plain || text.empty() || ec != std::errc() || ptr != end)
        return "expected an integer, found " + std::string(plain ? "'" : "the string \"") + text + (plain ? "'" : "\"");
      out.SetInt64(value);
      return "";
    }
    case WEFT_FIELD_BOOLEAN:
      if (plain && read_bool(text, out)) return "";
      return "expected true or false, found '" + text + "'";
    case WEFT_FIELD_JSONPATH:
      if (std::string problem = check_path(text); !problem.empty()) return problem;
      break;
    case WEFT_FIELD_PATH_OR_LITERAL:
      if (!text.empty() && text[0] == '$')
        if (std::string problem = check_path(text); !problem.empty()) return problem;
      break;
    case WEFT_FIELD_ENUM:
      if (std::find(field.choices.begin(), field.choices.end(), text) == field.choices.end())
        return "expected one of " + join_choices(field.choices) + ", found '" + text + "'" + did_you_mean(text, field.choices);
      break;
    case WEFT_FIELD_STRING:
      break;
    case WEFT_FIELD_NUMBER:
      if (!plain || !read_number(text, out))
        return "expected a number, found " + std::string(plain ? "'" : "the string \"") + text + (plain ? "'" : "\"");
      return "";
    case WEFT_FIELD_SCALAR:
      if (plain && read_bool(text, out)) return "";
      if (plain && read_number(text, out)) return "";
      break;  // anything else, and every quoted value, is a string
    case WEFT_FIELD_REGEX:
      if (const std::string why = regex_problem(text); !why.empty()) return "'" + text + "' is not a valid regular expression: " + why;
      break;
    case WEFT_FIELD_REGEX_LIST:
    case WEFT_FIELD_MAP:
    case WEFT_FIELD_OBJECT:
    case WEFT_FIELD_SCALAR_LIST:
    case WEFT_FIELD_OBJECT_LIST:
    case WEFT_FIELD_TEMPLATE:
      return std::string("expected a ") + (field.type == WEFT_FIELD_OBJECT || field.type == WEFT_FIELD_MAP ? "map" : "list") +
             ", found a single value";
  }
  out = make_string(text, a);
  return "";
}

bool is_plain(const YAML::Node& node) { return node.Tag() == "?"; }

// What one build writes besides the config: its problems, and where each value is.
struct Sink {
  std::vector<ConfigProblem>& problems;
  ConfigMarks* marks;
  void mark(const std::string& key, const YAML::Mark& at) const {
    if (marks) marks->emplace(key, at);
  }
};

void build_object(const YAML::Node& with, const YAML::Mark& where, const std::vector<FieldSpec>& fields,
                  const std::string& prefix, rapidjson::Value& out, Allocator& a, const Sink& sink);

std::string key_list(const std::vector<FieldSpec>& fields) {
  std::string keys;
  for (const auto& f : fields) keys += (keys.empty() ? "" : ", ") + f.name;
  return keys;
}

// A TEMPLATE value: maps, lists and scalars as YAML types them, each string that starts with '$'
// a JSONPath that must be valid. Nesting is bounded like a webhook body's.
void build_template(const YAML::Node& node, const std::string& key, int depth, rapidjson::Value& out, Allocator& a, const Sink& sink) {
  constexpr int max_template_depth = 32;
  const auto problem = [&](const YAML::Mark& mark, const std::string& message) { sink.problems.push_back({mark, "'" + key + "': " + message}); };
  if (depth > max_template_depth) return problem(node.Mark(), "nested deeper than " + std::to_string(max_template_depth) + " levels");
  if (node.IsMap()) {
    out.SetObject();
    std::set<std::string> seen;
    for (const auto& entry : node) {
      const std::string name = entry.first.Scalar();
      if (!entry.first.IsScalar() || !seen.insert(name).second) {
        problem(entry.first.Mark(), entry.first.IsScalar() ? "duplicate key '" + name + "'" : "a key must be text");
        continue;
      }
      rapidjson::Value value;
      build_template(entry.second, key + "." + name, depth + 1, value, a, sink);
      out.AddMember(make_string(name, a), value, a);
    }
  } else if (node.IsSequence()) {
    out.SetArray();
    for (const YAML::Node& item : node) {
      rapidjson::Value value;
      build_template(item, key, depth + 1, value, a, sink);
      out.PushBack(value, a);
    }
  } else if (node.IsNull() || !node.IsDefined()) {
    out.SetNull();
  } else {
    const FieldSpec leaf{"", is_plain(node) ? WEFT_FIELD_SCALAR : WEFT_FIELD_STRING, false, std::nullopt, {}, "", {}};
    if (!node.Scalar().empty() && node.Scalar()[0] == '$')
      if (std::string why = check_path(node.Scalar()); !why.empty()) return problem(node.Mark(), why);
    convert_scalar(leaf, node.Scalar(), is_plain(node), out, a);
  }
}

void build_value(const FieldSpec& field, const YAML::Node& node, const std::string& key, rapidjson::Value& out, Allocator& a,
                 const Sink& sink) {
  std::vector<ConfigProblem>& problems = sink.problems;
  const auto problem = [&](const YAML::Mark& mark, const std::string& message) { problems.push_back({mark, "'" + key + "': " + message}); };
  switch (field.type) {
    case WEFT_FIELD_SCALAR_LIST: {
      if (!node.IsSequence()) return problem(node.Mark(), "expected a list of values");
      out.SetArray();
      const FieldSpec item_spec{"", WEFT_FIELD_SCALAR, false, std::nullopt, {}, "", {}};
      std::size_t index = 0;
      for (const YAML::Node& item : node) {
        const std::string item_key = key + "[" + std::to_string(index++) + "]";
        sink.mark(item_key, item.Mark());
        if (!item.IsScalar()) {
          problem(item.Mark(), "expected a single value (a string, number or true/false), found a " + std::string(item.IsMap() ? "map" : "list"));
          continue;
        }
        rapidjson::Value value;
        convert_scalar(item_spec, item.Scalar(), is_plain(item), value, a);  // a scalar is always one
        out.PushBack(value, a);
      }
      return;
    }
    case WEFT_FIELD_OBJECT_LIST: {
      if (!node.IsSequence()) return problem(node.Mark(), "expected a list of maps with keys " + key_list(field.fields));
      out.SetArray();
      std::size_t index = 0;
      for (const YAML::Node& item : node) {
        const std::string item_key = key + "[" + std::to_string(index++) + "]";
        sink.mark(item_key, item.Mark());
        rapidjson::Value entry(rapidjson::kObjectType);
        if (!item.IsMap())
          problems.push_back({item.Mark(), "'" + item_key + "': expected a map with keys " + key_list(field.fields)});
        else
          build_object(item, item.Mark(), field.fields, item_key + ".", entry, a, sink);
        out.PushBack(entry, a);  // kept even when wrong, so that indexes match the file
      }
      return;
    }
    case WEFT_FIELD_REGEX_LIST: {
      if (!node.IsSequence()) return problem(node.Mark(), "expected a list of regular expressions");
      out.SetArray();
      for (const YAML::Node& item : node) {
        if (!item.IsScalar()) {
          problem(item.Mark(), "expected a regular expression (a string)");
          continue;
        }
        if (const std::string why = regex_problem(item.Scalar()); !why.empty()) {
          problem(item.Mark(), "'" + item.Scalar() + "' is not a valid regular expression: " + why);
          continue;
        }
        out.PushBack(make_string(item.Scalar(), a), a);
      }
      return;
    }
    case WEFT_FIELD_MAP: {
      if (!node.IsMap()) return problem(node.Mark(), "expected a map of name: JSONPath or literal");
      out.SetObject();
      std::set<std::string> seen;
      const FieldSpec value_spec{"", WEFT_FIELD_PATH_OR_LITERAL, false, std::nullopt, {}, "", {}};
      for (const auto& entry : node) {
        const std::string name = entry.first.Scalar();
        if (!seen.insert(name).second) {
          problem(entry.first.Mark(), "duplicate key '" + name + "'");
          continue;
        }
        if (!entry.second.IsScalar()) {
          problem(entry.second.Mark(), "the value of '" + name + "' must be a JSONPath or a literal");
          continue;
        }
        rapidjson::Value value;
        if (std::string why = convert_scalar(value_spec, entry.second.Scalar(), true, value, a); !why.empty()) {
          problem(entry.second.Mark(), why);
          continue;
        }
        out.AddMember(make_string(name, a), value, a);
      }
      return;
    }
    case WEFT_FIELD_TEMPLATE:
      build_template(node, key, 0, out, a, sink);
      return;
    case WEFT_FIELD_OBJECT:
      if (!node.IsMap()) return problem(node.Mark(), "expected a map with keys " + key_list(field.fields));
      out.SetObject();
      build_object(node, node.Mark(), field.fields, key + ".", out, a, sink);
      return;
    default:
      if (!node.IsScalar()) return problem(node.Mark(), std::string("expected a ") + field_type_name(field.type) + " value, found a " +
                                                           (node.IsMap() ? "map" : "list"));
      if (std::string why = convert_scalar(field, node.Scalar(), is_plain(node), out, a); !why.empty()) problem(node.Mark(), why);
  }
}

void build_object(const YAML::Node& with, const YAML::Mark& where, const std::vector<FieldSpec>& fields,
                  const std::string& prefix, rapidjson::Value& out, Allocator& a, const Sink& sink) {
  std::vector<ConfigProblem>& problems = sink.problems;
  std::vector<std::string> names;
  for (const FieldSpec& f : fields) names.push_back(f.name);
  std::set<std::string> present;
  if (with.IsDefined() && !with.IsNull()) {
    for (const auto& entry : with) {
      const std::string key = entry.first.Scalar();
      auto spec = std::find_if(fields.begin(), fields.end(), [&](const FieldSpec& f) { return f.name == key; });
      if (spec == fields.end()) {
        problems.push_back({entry.first.Mark(), "unknown key '" + prefix + key + "'" + did_you_mean(key, names, prefix)});
        continue;
      }
      if (!present.insert(key).second) {
        problems.push_back({entry.first.Mark(), "duplicate key '" + prefix + key + "'"});
        continue;
      }
      if (entry.second.IsNull()) {
        present.erase(key);  // `key:` with no value counts as absent
        continue;
      }
      sink.mark(prefix + key, entry.second.Mark());
      rapidjson::Value value;
      build_value(*spec, entry.second, prefix + key, value, a, sink);
      if (!value.IsNull()) out.AddMember(make_string(key, a), value, a);
    }
  }
  for (const FieldSpec& f : fields) {
    if (present.count(f.name)) continue;
    if (f.required) {
      problems.push_back({where, "missing required key '" + prefix + f.name + "' (" + f.description + ")"});
    } else if (f.default_value) {
      rapidjson::Value value;
      convert_scalar(f, *f.default_value, true, value, a);  // checked when the plugin loaded
      out.AddMember(make_string(f.name, a), value, a);
    }
  }
}

// Lists and maps, which have no default and are never a single value.
bool is_collection(weft_field_type type) {
  return type == WEFT_FIELD_REGEX_LIST || type == WEFT_FIELD_MAP || type == WEFT_FIELD_OBJECT || type == WEFT_FIELD_SCALAR_LIST ||
         type == WEFT_FIELD_OBJECT_LIST || type == WEFT_FIELD_TEMPLATE;
}

}  // namespace

void build_node_config(const YAML::Node& with, const YAML::Mark& where, const std::vector<FieldSpec>& fields,
                       rapidjson::Document& out, std::vector<ConfigProblem>& problems, ConfigMarks* marks) {
  out.SetObject();
  if (with.IsDefined() && !with.IsNull() && !with.IsMap()) {
    problems.push_back({with.Mark(), "'with' must be a map of config keys"});
    return;
  }
  build_object(with, where, fields, "", out, out.GetAllocator(), Sink{problems, marks});
}

std::string check_default_value(const FieldSpec& field) {
  if (is_collection(field.type))
    return std::string("a ") + field_type_name(field.type) + " field cannot have a default";
  rapidjson::Document scratch;
  rapidjson::Value value;
  return convert_scalar(field, *field.default_value, true, value, scratch.GetAllocator());
}

}  // namespace weft
