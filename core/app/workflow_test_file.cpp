#include "workflow_test_file.hpp"

#include "weft/base/suggest.hpp"
#include "weft/base/yaml_diagnostics.hpp"
#include "weft/event/json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace weft::app {
namespace {

const std::vector<std::string> file_keys = {"source", "cases"};
const std::vector<std::string> case_keys = {"name", "events", "profiles", "messages"};
const std::vector<std::string> message_keys = {"destination", "type", "data"};
const std::vector<std::string> event_keys = {"payload", "file", "headers", "expect"};
const std::vector<std::string> expect_keys = {"status", "path", "type", "properties", "error"};
const std::vector<std::string> profile_keys = {"identifiers", "traits", "events"};
const std::vector<std::string> statuses = {"processed", "failed", "rejected", "dropped", "suppressed", "duplicate"};

constexpr int max_depth = 64;  // the nesting a payload written in YAML may have, as a body's

class Reader {
public:
  Reader(std::string file, std::vector<Diagnostic>& diagnostics) : file_(std::move(file)), diagnostics_(diagnostics), yaml_(file_, diagnostics) {}

  std::optional<TestFile> read() {
    YAML::Node root;
    try {
      root = YAML::LoadFile(file_);
    } catch (const YAML::BadFile&) {
      error(YAML::Mark(), "cannot read the file");
      return std::nullopt;
    } catch (const YAML::ParserException& e) {
      error(e.mark, "YAML syntax error: " + e.msg);
      return std::nullopt;
    }
    if (!root.IsMap()) {
      error(root.Mark(), "a test file is a map with the keys source and cases");
      return std::nullopt;
    }
    const std::size_t before = diagnostics_.size();
    TestFile result;
    result.file = file_;
    check_keys(root, file_keys, "");
    result.source = required_text(root, "source", "the id of the workflow under test");
    if (const YAML::Node source = root["source"]; source.IsDefined()) {
      result.source_line = source.Mark().line + 1;
      result.source_column = source.Mark().column + 1;
    }
    const YAML::Node cases = root["cases"];
    if (!cases.IsDefined() || !cases.IsSequence() || cases.size() == 0)
      error(cases.IsDefined() ? cases.Mark() : root.Mark(), "'cases' must be a non-empty list of test cases");
    else
      for (const YAML::Node& c : cases) result.cases.push_back(read_case(c));
    if (diagnostics_.size() != before) return std::nullopt;
    return result;
  }

private:
  void error(const YAML::Mark& mark, std::string message) { yaml_.error(mark, std::move(message)); }
  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& where) {
    yaml_.check_keys(map, allowed, "", where);
  }

  std::string required_text(const YAML::Node& map, const char* key, const std::string& what) {
    const YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) {
      error(map.Mark(), std::string("missing required key '") + key + "' (" + what + ")");
      return "";
    }
    if (!node.IsScalar()) {
      error(node.Mark(), std::string("'") + key + "' must be text");
      return "";
    }
    return node.Scalar();
  }

  std::optional<std::string> optional_text(const YAML::Node& map, const char* key) {
    const YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) return std::nullopt;
    if (!node.IsScalar()) {
      error(node.Mark(), std::string("'") + key + "' must be text");
      return std::nullopt;
    }
    return node.Scalar();
  }

  TestCase read_case(const YAML::Node& node) {
    TestCase result;
    result.line = node.Mark().line + 1;
    if (!node.IsMap()) {
      error(node.Mark(), "a test case is a map with the keys name, events, profiles and messages");
      return result;
    }
    check_keys(node, case_keys, " in a test case");
    result.name = required_text(node, "name", "what the case shows, one line");
    const YAML::Node events = node["events"];
    if (!events.IsDefined() || !events.IsSequence() || events.size() == 0)
      error(events.IsDefined() ? events.Mark() : node.Mark(), "'events' must be a non-empty list of events to post");
    else
      for (const YAML::Node& e : events) result.events.push_back(read_event(e));
    if (const YAML::Node profiles = node["profiles"]; profiles.IsDefined() && !profiles.IsNull()) {
      if (!profiles.IsSequence()) {
        error(profiles.Mark(), "'profiles' must be a list of the live profiles expected afterwards ([] for none)");
      } else {
        result.profiles.emplace();
        for (const YAML::Node& p : profiles) result.profiles->push_back(read_profile(p));
      }
    }
    if (const YAML::Node messages = node["messages"]; messages.IsDefined() && !messages.IsNull()) {
      if (!messages.IsSequence()) {
        error(messages.Mark(), "'messages' must be a list of the messages to destinations expected, in order ([] for none)");
      } else {
        result.messages.emplace();
        for (const YAML::Node& m : messages) result.messages->push_back(read_message(m));
      }
    }
    return result;
  }

  ExpectedMessage read_message(const YAML::Node& node) {
    ExpectedMessage result;
    result.line = node.Mark().line + 1;
    if (!node.IsMap()) {
      error(node.Mark(), "a message is a map with the keys destination, type and data");
      return result;
    }
    check_keys(node, message_keys, " in a message");
    result.destination = required_text(node, "destination", "the destination's id");
    result.type = optional_text(node, "type");
    result.data = json_object(node, "data");
    return result;
  }

  TestEvent read_event(const YAML::Node& node) {
    TestEvent result;
    result.line = node.Mark().line + 1;
    if (!node.IsMap()) {
      error(node.Mark(), "an event is a map with payload or file, and optionally headers and expect");
      return result;
    }
    check_keys(node, event_keys, " in an event");
    const YAML::Node payload = node["payload"];
    const YAML::Node file = node["file"];
    const bool has_payload = payload.IsDefined() && !payload.IsNull();
    const bool has_file = file.IsDefined() && !file.IsNull();
    if (has_payload == has_file) {
      error(node.Mark(), "an event needs exactly one of 'payload' (the body, in YAML or JSON) and 'file' (a JSON file, or a form body in a .txt file)");
    } else if (has_payload) {
      rapidjson::StringBuffer buffer;
      rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
      if (write_json(payload, writer, 0)) result.body.assign(buffer.GetString(), buffer.GetSize());
    } else {
      result.body = read_sample(file);
    }
    if (const YAML::Node headers = node["headers"]; headers.IsDefined() && !headers.IsNull()) {
      if (!headers.IsMap()) error(headers.Mark(), "'headers' must be a map of header name: value");
      else
        for (const auto& h : headers) {
          if (!h.second.IsScalar()) error(h.second.Mark(), "a header's value must be text");
          else result.headers.emplace_back(h.first.Scalar(), h.second.Scalar());
        }
    }
    if (const YAML::Node expect = node["expect"]; expect.IsDefined() && !expect.IsNull()) result.expect = read_expect(expect);
    return result;
  }

  std::string read_sample(const YAML::Node& file) {
    if (!file.IsScalar()) {
      error(file.Mark(), "'file' must be a path, relative to the test file");
      return "";
    }
    const std::filesystem::path path = std::filesystem::path(file_).parent_path() / file.Scalar();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      error(file.Mark(), "cannot read " + path.string());
      return "";
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (path.extension() != ".json") return text.str();  // a form body (.txt): parsed with its Content-Type when run
    rapidjson::Document check;
    const JsonParseResult parsed = parse_json(text.str(), check, check.GetAllocator(), max_depth);
    if (!parsed.ok) error(file.Mark(), path.string() + " is not valid JSON: " + parsed.message);
    return text.str();
  }

  ExpectedRun read_expect(const YAML::Node& node) {
    ExpectedRun result;
    if (!node.IsMap()) {
      error(node.Mark(), "'expect' must be a map with the keys status, path, type, properties and error");
      return result;
    }
    check_keys(node, expect_keys, " in expect");
    result.status = optional_text(node, "status");
    if (result.status && std::find(statuses.begin(), statuses.end(), *result.status) == statuses.end())
      error(node["status"].Mark(), "unknown status '" + *result.status + "': expected processed, failed, rejected, dropped, suppressed or duplicate" +
                                       did_you_mean(*result.status, statuses));
    if (const YAML::Node path = node["path"]; path.IsDefined() && !path.IsNull()) {
      if (!path.IsSequence()) {
        error(path.Mark(), "'path' must be a list of node ids, in the order the event goes through them");
      } else {
        result.path.emplace();
        for (const YAML::Node& id : path) {
          if (!id.IsScalar()) error(id.Mark(), "a node id is text");
          else result.path->push_back(id.Scalar());
        }
      }
    }
    result.type = optional_text(node, "type");
    result.properties = json_object(node, "properties");
    result.error = optional_text(node, "error");
    return result;
  }

  ExpectedProfile read_profile(const YAML::Node& node) {
    ExpectedProfile result;
    result.line = node.Mark().line + 1;
    if (!node.IsMap()) {
      error(node.Mark(), "a profile is a map with the keys identifiers, traits and events");
      return result;
    }
    check_keys(node, profile_keys, " in a profile");
    const YAML::Node identifiers = node["identifiers"];
    if (!identifiers.IsDefined() || !identifiers.IsSequence()) {
      error(identifiers.IsDefined() ? identifiers.Mark() : node.Mark(), "a profile needs 'identifiers': the list of its TYPE:VALUE identifiers");
    } else {
      for (const YAML::Node& id : identifiers) {
        const std::string text = id.IsScalar() ? id.Scalar() : "";
        const std::size_t colon = text.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
          error(id.Mark(), "expected an identifier as TYPE:VALUE, e.g. email:jane@example.com, found '" + text + "'");
        else
          result.identifiers.push_back(text);
      }
      std::sort(result.identifiers.begin(), result.identifiers.end());
    }
    result.traits = json_object(node, "traits");
    if (const YAML::Node events = node["events"]; events.IsDefined() && !events.IsNull()) {
      std::int64_t count = -1;
      const std::string text = events.IsScalar() ? events.Scalar() : "";
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
      if (ec != std::errc() || ptr != text.data() + text.size() || count < 0)
        error(events.Mark(), "'events' must be the number of events the profile holds");
      else
        result.events = count;
    }
    return result;
  }

  // A map under `key` as JSON object text; nullopt when absent.
  std::optional<std::string> json_object(const YAML::Node& map, const char* key) {
    const YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) return std::nullopt;
    if (!node.IsMap()) {
      error(node.Mark(), std::string("'") + key + "' must be a map of key: value");
      return std::nullopt;
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    if (!write_json(node, writer, 0)) return std::nullopt;
    return std::string(buffer.GetString(), buffer.GetSize());
  }

  // YAML as JSON: plain scalars typed as YAML reads them (null, true/false, integers, numbers),
  // quoted ones strings. Nesting is bounded by max_depth.
  bool write_json(const YAML::Node& node, rapidjson::Writer<rapidjson::StringBuffer>& w, int depth) {
    if (depth > max_depth) {
      error(node.Mark(), "nested deeper than " + std::to_string(max_depth) + " levels");
      return false;
    }
    if (node.IsMap()) {
      w.StartObject();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          error(entry.first.Mark(), "a JSON object's keys are text");
          return false;
        }
        w.Key(entry.first.Scalar().c_str(), static_cast<rapidjson::SizeType>(entry.first.Scalar().size()));
        if (!write_json(entry.second, w, depth + 1)) return false;
      }
      w.EndObject();
      return true;
    }
    if (node.IsSequence()) {
      w.StartArray();
      for (const YAML::Node& item : node)
        if (!write_json(item, w, depth + 1)) return false;
      w.EndArray();
      return true;
    }
    if (node.IsNull()) return w.Null();
    const std::string& text = node.Scalar();
    if (node.Tag() == "?") {
      if (text == "true" || text == "false") return w.Bool(text == "true");
      const char* end = text.data() + text.size();
      std::int64_t integer = 0;
      if (auto [ptr, ec] = std::from_chars(text.data(), end, integer); !text.empty() && ec == std::errc() && ptr == end) return w.Int64(integer);
      double number = 0;
      const bool numeric = !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-');
      if (auto [ptr, ec] = std::from_chars(text.data(), end, number); numeric && ec == std::errc() && ptr == end && std::isfinite(number))
        return w.Double(number);
    }
    return w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  }

  std::string file_;
  std::vector<Diagnostic>& diagnostics_;
  YamlDiagnostics yaml_;
};

}  // namespace

std::optional<TestFile> read_test_file(const std::filesystem::path& file, std::vector<Diagnostic>& diagnostics) {
  return Reader(file.string(), diagnostics).read();
}

}  // namespace weft::app
