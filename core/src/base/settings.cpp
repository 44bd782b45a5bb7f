#include "weft/base/settings.hpp"

#include "weft/base/yaml_diagnostics.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>

namespace weft {
namespace {

class SettingsReader {
public:
  SettingsReader(const std::filesystem::path& file, std::vector<Diagnostic>& diagnostics)
      : file_(file.string()), base_(std::filesystem::absolute(file).parent_path()), yaml_(file_, diagnostics) {}

  void read(Settings& s) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(file_);
    } catch (const YAML::BadFile&) {
      error(YAML::Mark(), "cannot read the config file");
      return;
    } catch (const YAML::ParserException& e) {
      error(e.mark, "YAML syntax error: " + e.msg);
      return;
    }
    if (root.IsNull()) return;  // an empty file: all defaults
    if (!root.IsMap()) {
      error(root.Mark(), "a config file is a map (see weft --help)");
      return;
    }
    check_keys(root, {"listen", "tls", "store", "plugin_dirs", "workflows", "destinations", "limits", "api", "public_url"}, "");
    if (auto n = root["listen"]; n.IsDefined()) {
      s.listen.clear();
      if (n.IsSequence() && n.size() > 0)
        for (const auto& item : n) listen_address(item, s);
      else if (n.IsScalar() || n.IsMap())
        listen_address(n, s);
      else
        error(n.Mark(), "'listen' must be an address (HOST:PORT, http://HOST:PORT or https://HOST:PORT), { address, routes }, or a list of them");
    }
    if (auto tls = root["tls"]; tls.IsDefined()) {
      if (!tls.IsMap()) {
        error(tls.Mark(), "'tls' must be a map: { certificate: FILE, key: FILE }");
      } else {
        check_keys(tls, {"certificate", "key"}, "tls.");
        if (auto n = tls["certificate"]; n.IsDefined()) s.tls_certificate = path(scalar(n, "tls.certificate"));
        if (auto n = tls["key"]; n.IsDefined()) s.tls_key = path(scalar(n, "tls.key"));
        if (s.tls_certificate.empty() || s.tls_key.empty()) error(tls.Mark(), "'tls' needs both certificate and key (PEM files)");
      }
    }
    for (const auto& address : s.listen)
      if (address.tls && (s.tls_certificate.empty() || s.tls_key.empty())) {
        error(root["listen"].Mark(), "https://" + address.host_port + " needs tls: { certificate: FILE, key: FILE }");
        break;
      }
    if (auto n = root["store"]; n.IsDefined()) s.store = store(scalar(n, "store"));
    if (auto n = root["workflows"]; n.IsDefined()) s.workflows = path(scalar(n, "workflows"));
    if (auto n = root["destinations"]; n.IsDefined()) s.destinations = path(scalar(n, "destinations"));
    if (auto n = root["plugin_dirs"]; n.IsDefined()) {
      s.plugin_dirs.clear();
      if (n.IsScalar())
        s.plugin_dirs.push_back(path(n.Scalar()));
      else if (n.IsSequence())
        for (const auto& item : n) s.plugin_dirs.push_back(path(scalar(item, "plugin_dirs")));
      else
        error(n.Mark(), "'plugin_dirs' must be a list of folders");
    }
    if (auto limits = root["limits"]; limits.IsDefined()) {
      if (!limits.IsMap()) {
        error(limits.Mark(), "'limits' must be a map");
      } else {
        check_keys(limits, {"max_body_bytes", "max_json_depth", "max_items", "queue", "queue_bytes", "node_budget_ms"}, "limits.");
        number(limits["max_body_bytes"], "limits.max_body_bytes", s.max_body_bytes);
        number(limits["max_json_depth"], "limits.max_json_depth", s.max_json_depth);
        number(limits["max_items"], "limits.max_items", s.max_items);
        number(limits["queue"], "limits.queue", s.queue);
        number(limits["queue_bytes"], "limits.queue_bytes", s.queue_bytes);
        number(limits["node_budget_ms"], "limits.node_budget_ms", s.node_budget_ms);
      }
    }
    if (auto n = root["public_url"]; n.IsDefined()) {
      s.public_url = scalar(n, "public_url");
      if (s.public_url.rfind("https://", 0) != 0 && s.public_url.rfind("http://", 0) != 0)
        error(n.Mark(), "'public_url' must be the http:// or https:// URL senders call, found '" + s.public_url + "'");
    }
    if (auto api = root["api"]; api.IsDefined()) {
      if (!api.IsMap()) {
        error(api.Mark(), "'api' must be a map");
      } else {
        check_keys(api, {"token_env"}, "api.");
        if (auto n = api["token_env"]; n.IsDefined()) s.token_env = scalar(n, "api.token_env");
      }
    }
  }

private:
  void error(const YAML::Mark& mark, std::string message) { yaml_.error(mark, std::move(message)); }
  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& prefix) {
    yaml_.check_keys(map, allowed, prefix, "");
  }

  std::string scalar(const YAML::Node& n, const std::string& key) {
    if (!n.IsScalar()) {
      error(n.Mark(), "'" + key + "' must be a single value");
      return {};
    }
    return n.Scalar();
  }

  void number(const YAML::Node& n, const std::string& key, std::size_t& out) {
    if (!n.IsDefined()) return;
    const std::string text = scalar(n, key);
    std::size_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value == 0) {
      error(n.Mark(), "'" + key + "' must be a positive integer, found '" + text + "'");
      return;
    }
    out = value;
  }

  // A string, or { address: STRING, routes: all | collect }.
  void listen_address(const YAML::Node& n, Settings& s) {
    if (n.IsMap()) {
      check_keys(n, {"address", "routes"}, "listen.");
      const auto address = n["address"];
      if (!address.IsDefined()) {
        error(n.Mark(), "'listen': an entry as a map needs 'address' (HOST:PORT, http://HOST:PORT or https://HOST:PORT)");
        return;
      }
      auto routes = ListenAddress::Routes::all;
      if (const auto r = n["routes"]; r.IsDefined()) {
        const std::string text = scalar(r, "listen.routes");
        if (text == "collect")
          routes = ListenAddress::Routes::collect;
        else if (text != "all")
          error(r.Mark(), "'listen.routes' must be all or collect, found '" + text + "'");
      }
      if (listen_text(address, s)) s.listen.back().routes = routes;
      return;
    }
    listen_text(n, s);
  }

  bool listen_text(const YAML::Node& n, Settings& s) {
    std::string text = scalar(n, "listen");
    bool tls = false;
    if (text.rfind("https://", 0) == 0) {
      tls = true;
      text = text.substr(8);
    } else if (text.rfind("http://", 0) == 0) {
      text = text.substr(7);
    } else if (text.find("://") != std::string::npos) {
      error(n.Mark(), "'listen': unknown scheme in '" + text + "': expected HOST:PORT, http://HOST:PORT or https://HOST:PORT");
      return false;
    }
    while (!text.empty() && text.back() == '/') text.pop_back();
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
      error(n.Mark(), "'listen': expected HOST:PORT, found '" + text + "'");
      return false;
    }
    s.listen.push_back({text, tls});
    return true;
  }

  std::filesystem::path path(const std::string& text) { return (base_ / text).lexically_normal(); }

  std::string store(const std::string& text) {
    if (text.rfind("sqlite:", 0) == 0) {  // the path is relative to the file; an option (?wal=) stays
      const auto query = text.find('?');
      return "sqlite:" + path(text.substr(7, query == std::string::npos ? std::string::npos : query - 7)).string() +
             (query == std::string::npos ? "" : text.substr(query));
    }
    return text;
  }

  std::string file_;
  std::filesystem::path base_;
  YamlDiagnostics yaml_;
};

}  // namespace

Settings default_settings(const std::filesystem::path& base, const std::filesystem::path& plugin_dir) {
  Settings s;
  s.store = "sqlite:" + (base / "var/weft.db").lexically_normal().string();
  s.plugin_dirs = {plugin_dir};
  s.workflows = (base / "workflows").lexically_normal();
  s.destinations = (base / "destinations").lexically_normal();
  return s;
}

Settings load_settings(const std::filesystem::path& file, const std::filesystem::path& plugin_dir, std::vector<Diagnostic>& diagnostics) {
  Settings s = default_settings(std::filesystem::absolute(file).parent_path(), plugin_dir);
  SettingsReader(file, diagnostics).read(s);
  return s;
}

std::string ListenAddress::url(std::uint16_t port) const {
  return std::string(tls ? "https://" : "http://") + host_port.substr(0, host_port.rfind(':')) + ":" + std::to_string(port);
}

}  // namespace weft
