#include "weft/delivery/destination.hpp"

#include "weft/base/text.hpp"
#include "weft/base/yaml_diagnostics.hpp"
#include "weft/delivery/webhook_signature.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace weft {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view id_first = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view id_chars = "abcdefghijklmnopqrstuvwxyz0123456789_-";
constexpr std::string_view header_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
constexpr int max_in_flight_limit = 256;
constexpr std::size_t max_retry_entries = 20;

const std::vector<std::string> destination_keys = {"id",    "url",         "signing", "headers",      "subscribe", "timeout",
                                                   "retry", "ordering",    "max_in_flight", "rate", "disable_after", "tls"};

// An http(s) URL with a host and no credentials that Poco's client can open (the port a number
// up to 65535, no spaces or control characters anywhere).
bool usable_url(const std::string& text) {
  if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; })) return false;
  try {
    const Poco::URI uri(text);
    return (uri.getScheme() == "http" || uri.getScheme() == "https") && !uri.getHost().empty() && uri.getUserInfo().empty() &&
           text.find('{') == std::string::npos;
  } catch (const Poco::Exception&) {
    return false;
  }
}

// Headers weft sets itself on every delivery (SPEC 17): a destination may not replace them.
bool reserved_header(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
  return name.rfind("webhook-", 0) == 0 || name == "content-type" || name == "content-length" || name == "host" ||
         name == "user-agent" || name == "transfer-encoding" || name == "connection";
}

class FileLoader {
public:
  FileLoader(std::filesystem::path file, const EnvironmentLookup& environment, std::vector<Diagnostic>& diagnostics)
      : file_(std::move(file)), environment_(environment), diagnostics_(diagnostics), yaml_(file_.string(), diagnostics) {}

  std::optional<Destination> load(YAML::Mark& id_mark) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(file_.string());
    } catch (const YAML::BadFile&) {
      yaml_.error(YAML::Mark(), "cannot read the file");
      return std::nullopt;
    } catch (const YAML::ParserException& e) {
      yaml_.error(e.mark, "YAML syntax error: " + e.msg);
      return std::nullopt;
    }
    if (!root.IsMap()) {
      yaml_.error(root.Mark(), "a destination is a map with the keys id, url and the delivery settings");
      return std::nullopt;
    }
    const std::size_t errors_before = diagnostics_.size();
    yaml_.check_keys(root, destination_keys, "", " in a destination");
    Destination d;
    d.file = file_.string();
    d.retry = default_retry_schedule();
    read_id(root, d, id_mark);
    read_url(root, d);
    read_signing(root, d);
    read_headers(root, d);
    read_subscribe(root, d);
    if (const auto t = duration(root, "timeout")) d.timeout = *t;
    read_retry(root, d);
    if (const YAML::Node n = root["ordering"]; n.IsDefined()) {
      if (!n.IsScalar() || (n.Scalar() != "per_profile" && n.Scalar() != "none"))
        yaml_.error(n.Mark(), "'ordering' is per_profile or none");
      else
        d.per_profile_order = n.Scalar() == "per_profile";
    }
    if (const YAML::Node n = root["max_in_flight"]; n.IsDefined()) {
      const auto value = whole_number(n);
      if (!value || *value < 1 || *value > max_in_flight_limit)
        yaml_.error(n.Mark(), "'max_in_flight' is a whole number from 1 to " + std::to_string(max_in_flight_limit));
      else
        d.max_in_flight = static_cast<int>(*value);
    }
    read_rate(root, d);
    if (const auto t = duration(root, "disable_after")) d.disable_after = *t;
    if (const YAML::Node tls = root["tls"]; tls.IsDefined()) {
      yaml_.check_keys(tls, {"ca_file"}, "tls.", " in a destination");
      if (const YAML::Node ca = tls["ca_file"]; ca.IsDefined()) {
        std::filesystem::path path = ca.IsScalar() ? ca.Scalar() : "";
        if (path.is_relative()) path = file_.parent_path() / path;
        std::error_code ec;
        if (!ca.IsScalar() || !std::filesystem::is_regular_file(path, ec))
          yaml_.error(ca.Mark(), "'tls.ca_file' names no readable file (" + path.string() + ")");
        else
          d.ca_file = path.string();
      }
    }
    if (diagnostics_.size() != errors_before) return std::nullopt;
    return d;
  }

private:
  void read_id(const YAML::Node& root, Destination& d, YAML::Mark& id_mark) {
    const YAML::Node id = root["id"];
    if (!id.IsDefined() || id.IsNull()) {
      yaml_.error(root.Mark(), "missing required key 'id' (the destination's name, as `deliver` nodes name it)");
      return;
    }
    if (!id.IsScalar() || !is_name(id.Scalar(), id_first, id_chars, 64)) {
      yaml_.error(id.Mark(), "invalid destination id '" + (id.IsScalar() ? id.Scalar() : std::string()) +
                                 "': expected 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit");
      return;
    }
    d.id = id.Scalar();
    id_mark = id.Mark();
  }

  void read_url(const YAML::Node& root, Destination& d) {
    const YAML::Node url = root["url"];
    if (!url.IsDefined() || url.IsNull()) {
      yaml_.error(root.Mark(), "missing required key 'url' (http:// or https://, where messages are posted)");
      return;
    }
    const std::string text = url.IsScalar() ? url.Scalar() : "";
    if (!usable_url(text)) {
      yaml_.error(url.Mark(), "'url' must be an http:// or https:// URL with a host, found '" + text + "'");
      return;
    }
    d.url = text;
  }

  // A variable of the environment, or an error at `mark` naming it.
  std::optional<std::string> variable(const std::string& name, const YAML::Mark& mark, const std::string& what) {
    auto value = environment_(name);
    if (!value) yaml_.error(mark, what + ": the environment variable " + name + " is not set");
    return value;
  }

  void read_signing(const YAML::Node& root, Destination& d) {
    const YAML::Node signing = root["signing"];
    if (!signing.IsDefined() || signing.IsNull()) return;
    if (!signing.IsMap()) {
      yaml_.error(signing.Mark(), "'signing' is a map: { secret_env: NAME }");
      return;
    }
    yaml_.check_keys(signing, {"secret_env"}, "signing.", " in a destination");
    const YAML::Node env = signing["secret_env"];
    if (!env.IsDefined() || !env.IsScalar() || env.Scalar().empty()) {
      yaml_.error(signing.Mark(), "'signing' needs 'secret_env': the environment variable holding the secret");
      return;
    }
    const auto secret = variable(env.Scalar(), env.Mark(), "'signing.secret_env'");
    if (!secret) return;
    const auto key = webhook_signing_key(*secret);
    if (!key || key->empty())
      yaml_.error(env.Mark(), "'signing.secret_env': " + env.Scalar() + " holds no usable secret (whsec_ must be followed by base64)");
    else
      d.signing_key = *key;
  }

  // ${NAME} replaced by the environment's value; an unset one is an error.
  std::optional<std::string> expand(const std::string& text, const YAML::Mark& mark, const std::string& what) {
    std::string out;
    std::size_t at = 0;
    while (true) {
      const std::size_t open = text.find("${", at);
      if (open == std::string::npos) break;
      const std::size_t close = text.find('}', open);
      if (close == std::string::npos) break;
      out.append(text, at, open - at);
      const auto value = variable(text.substr(open + 2, close - open - 2), mark, what);
      if (!value) return std::nullopt;
      out += *value;
      at = close + 1;
    }
    out.append(text, at);
    return out;
  }

  void read_headers(const YAML::Node& root, Destination& d) {
    const YAML::Node headers = root["headers"];
    if (!headers.IsDefined() || headers.IsNull()) return;
    if (!headers.IsMap()) {
      yaml_.error(headers.Mark(), "'headers' is a map of header names to values");
      return;
    }
    for (const auto& entry : headers) {
      const std::string name = entry.first.Scalar();
      if (!is_name(name, header_chars, header_chars, 128)) {
        yaml_.error(entry.first.Mark(), "'" + name + "' is not a valid header name");
        continue;
      }
      if (reserved_header(name)) {
        yaml_.error(entry.first.Mark(), "header '" + name + "' is set by weft on every delivery and cannot be replaced");
        continue;
      }
      if (!entry.second.IsScalar()) {
        yaml_.error(entry.second.Mark(), "header '" + name + "' needs a text value");
        continue;
      }
      const auto value = expand(entry.second.Scalar(), entry.second.Mark(), "header '" + name + "'");
      if (!value) continue;
      if (value->find_first_of("\r\n") != std::string::npos) {
        yaml_.error(entry.second.Mark(), "header '" + name + "' may not hold a line break");
        continue;
      }
      d.headers.emplace_back(name, *value);
    }
  }

  void read_subscribe(const YAML::Node& root, Destination& d) {
    const YAML::Node subscribe = root["subscribe"];
    if (!subscribe.IsDefined() || subscribe.IsNull()) return;
    if (!subscribe.IsSequence()) {
      yaml_.error(subscribe.Mark(), "'subscribe' is a list of profile changes");
      return;
    }
    const auto& known = profile_change_types();
    for (const YAML::Node& item : subscribe) {
      const std::string type = item.IsScalar() ? item.Scalar() : "";
      if (std::find(known.begin(), known.end(), type) == known.end()) {
        yaml_.error(item.Mark(), "unknown profile change '" + type + "': expected one of profile.created, profile.updated, "
                                                                    "profile.merged, profile.split, profile.erased");
        continue;
      }
      if (std::find(d.subscribe.begin(), d.subscribe.end(), type) != d.subscribe.end())
        yaml_.error(item.Mark(), "'" + type + "' is subscribed twice");
      else
        d.subscribe.push_back(type);
    }
  }

  std::optional<milliseconds> duration(const YAML::Node& root, const char* key) {
    const YAML::Node n = root[key];
    if (!n.IsDefined()) return std::nullopt;
    const auto value = n.IsScalar() ? parse_duration(n.Scalar()) : std::nullopt;
    if (!value || value->count() <= 0) {
      yaml_.error(n.Mark(), std::string("'") + key + "' is a duration such as 500ms, 15s, 5m, 2h or 5d");
      return std::nullopt;
    }
    return value;
  }

  void read_retry(const YAML::Node& root, Destination& d) {
    const YAML::Node retry = root["retry"];
    if (!retry.IsDefined()) return;
    if (!retry.IsSequence() || retry.size() > max_retry_entries) {
      yaml_.error(retry.Mark(), "'retry' is a list of at most " + std::to_string(max_retry_entries) +
                                    " durations, each the wait before one more attempt ([] tries once)");
      return;
    }
    d.retry.clear();
    for (const YAML::Node& item : retry) {
      const auto value = item.IsScalar() ? parse_duration(item.Scalar()) : std::nullopt;
      if (!value || value->count() <= 0)
        yaml_.error(item.Mark(), "a retry wait is a duration such as 5s, 5m or 2h");
      else
        d.retry.push_back(*value);
    }
  }

  void read_rate(const YAML::Node& root, Destination& d) {
    const YAML::Node rate = root["rate"];
    if (!rate.IsDefined()) return;
    const std::string text = rate.IsScalar() ? rate.Scalar() : "";
    const std::size_t slash = text.find('/');
    double count = 0;
    const char* end = text.data() + (slash == std::string::npos ? text.size() : slash);
    const auto [ptr, ec] = std::from_chars(text.data(), end, count);
    const std::string unit = slash == std::string::npos ? "" : text.substr(slash + 1);
    const double per = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
    if (ec != std::errc() || ptr != end || count <= 0 || per == 0) {
      yaml_.error(rate.Mark(), "'rate' is requests per time, such as 50/s, 600/m or 1000/h");
      return;
    }
    d.rate_per_second = count / per;
  }

  static std::optional<long long> whole_number(const YAML::Node& n) {
    if (!n.IsScalar()) return std::nullopt;
    long long value = 0;
    const std::string& text = n.Scalar();
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return value;
  }

  std::filesystem::path file_;
  const EnvironmentLookup& environment_;
  std::vector<Diagnostic>& diagnostics_;
  YamlDiagnostics yaml_;
};

bool is_destination_file(const std::filesystem::path& path) {
  const auto ext = path.extension();
  return ext == ".yaml" || ext == ".yml";
}

}  // namespace

std::vector<milliseconds> default_retry_schedule() {
  using namespace std::chrono;
  return {seconds(5), minutes(5), minutes(30), hours(2), hours(5), hours(10), hours(10)};
}

const std::vector<std::string>& profile_change_types() {
  static const std::vector<std::string> types = {"profile.created", "profile.updated", "profile.merged", "profile.split",
                                                 "profile.erased"};
  return types;
}

std::optional<milliseconds> parse_duration(std::string_view text) {
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr == text.data() || value < 0) return std::nullopt;
  const std::string_view unit(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
  long long factor = 0;
  if (unit == "ms") factor = 1;
  else if (unit == "s") factor = 1000;
  else if (unit == "m") factor = 60 * 1000;
  else if (unit == "h") factor = 3600 * 1000;
  else if (unit == "d") factor = 24 * 3600 * 1000;
  if (factor == 0 || value > (365LL * 24 * 3600 * 1000) / factor) return std::nullopt;  // a year at most
  return milliseconds(value * factor);
}

EnvironmentLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

std::map<std::string, Destination> load_destinations(const std::filesystem::path& folder, const EnvironmentLookup& environment,
                                                     std::vector<Diagnostic>& diagnostics) {
  std::map<std::string, Destination> destinations;
  std::map<std::string, Diagnostic> first_file_of;
  std::error_code ec;
  if (!std::filesystem::exists(folder, ec)) return destinations;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
    if (entry.is_regular_file() && is_destination_file(entry.path())) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    YAML::Mark id_mark;
    auto destination = FileLoader(file, environment, diagnostics).load(id_mark);
    if (!destination) continue;
    const Diagnostic here{file.string(), id_mark.line + 1, id_mark.column + 1, ""};
    if (const auto it = first_file_of.find(destination->id); it != first_file_of.end()) {
      diagnostics.push_back({here.file, here.line, here.column,
                             "destination id '" + destination->id + "' is already defined in " + it->second.file + ":" +
                                 std::to_string(it->second.line) + ":" + std::to_string(it->second.column)});
      continue;
    }
    first_file_of.emplace(destination->id, here);
    std::string id = destination->id;
    destinations.emplace(std::move(id), std::move(*destination));
  }
  return destinations;
}

std::shared_ptr<const DeliveryRouting> routing_of(const std::map<std::string, Destination>& destinations) {
  auto routing = std::make_shared<DeliveryRouting>();
  for (const auto& [id, destination] : destinations) {
    routing->destinations.insert(id);
    for (const std::string& type : destination.subscribe) routing->subscribers[type].push_back(id);
  }
  return routing;
}

}  // namespace weft
