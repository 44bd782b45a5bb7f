#include "weft/workflow/workflow_loader.hpp"

#include "weft/workflow/split_request.hpp"
#include "weft/plugin/node_config.hpp"
#include "weft/base/suggest.hpp"
#include "weft/base/yaml_diagnostics.hpp"
#include "weft/base/text.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace weft {

const std::string& WorkflowNode::port_name(std::size_t index) const {
  static const std::string error = "error";
  const auto& ports = instance->ports();
  return index < ports.size() ? ports[index] : error;
}

namespace {

TraceShape shape_of(const Workflow& workflow) {
  std::vector<TraceShape::Node> nodes;
  for (const WorkflowNode& node : workflow.nodes) {
    std::vector<std::string> ports = node.instance->ports();
    ports.emplace_back("error");
    nodes.push_back({node.id, node.plugin().name, std::move(ports)});
  }
  return TraceShape(std::move(nodes));
}

constexpr std::string_view source_id_first = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view source_id_chars = "abcdefghijklmnopqrstuvwxyz0123456789_-";
constexpr std::string_view node_id_first = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
constexpr std::string_view node_id_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

const std::vector<std::string> workflow_keys = {"id", "name", "nodes"};
const std::vector<std::string> node_keys = {"id", "plugin", "with", "on"};
const std::vector<std::string> route_words = {"stop", "drop", "reject"};

struct PendingRoute {
  std::size_t node;
  std::size_t port;
  std::string target;
  YAML::Mark mark;
};

// What one file yields: the workflow when valid, and its id wherever it parsed.
struct LoadedFile {
  std::shared_ptr<Workflow> workflow;
  std::string id;
  YAML::Mark id_mark;
};

class FileLoader {
public:
  FileLoader(const std::filesystem::path& file, const PluginRegistry& plugins, std::shared_ptr<const DeliveryRouting> routing,
             std::vector<Diagnostic>& diagnostics)
      : file_(file.string()), plugins_(plugins), routing_(std::move(routing)), diagnostics_(diagnostics), yaml_(file_, diagnostics) {}

  LoadedFile load() {
    LoadedFile result;
    YAML::Node root;
    try {
      root = YAML::LoadFile(file_);
    } catch (const YAML::BadFile&) {
      error(YAML::Mark(), "cannot read the file");
      return result;
    } catch (const YAML::ParserException& e) {
      error(e.mark, "YAML syntax error: " + e.msg);
      return result;
    }
    if (!root.IsMap()) {
      error(root.Mark(), "a workflow is a map with the keys id, name and nodes");
      return result;
    }
    auto workflow = std::make_shared<Workflow>();
    workflow->file = file_;
    const std::size_t errors_before = diagnostics_.size();

    check_keys(root, workflow_keys, "");
    read_id(root, *workflow, result);
    if (const YAML::Node name = root["name"]; name.IsDefined() && !name.IsNull()) {
      if (name.IsScalar())
        workflow->name = name.Scalar();
      else
        error(name.Mark(), "'name' must be text");
    }
    read_nodes(root, *workflow);

    if (diagnostics_.size() == errors_before) {
      workflow->trace_shape = std::make_shared<const TraceShape>(shape_of(*workflow));
      workflow->routing = routing_ ? routing_ : std::make_shared<const DeliveryRouting>();
      workflow->split = split_of(*workflow);
      result.workflow = std::move(workflow);
    }
    return result;
  }

private:
  void error(const YAML::Mark& mark, std::string message) { yaml_.error(mark, std::move(message)); }
  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& where) {
    yaml_.check_keys(map, allowed, "", where);
  }

  void read_id(const YAML::Node& root, Workflow& workflow, LoadedFile& result) {
    const YAML::Node id = root["id"];
    if (!id.IsDefined() || id.IsNull()) {
      error(root.Mark(), "missing required key 'id' (the source id: POST /collect/{id})");
      return;
    }
    if (!id.IsScalar() || !is_name(id.Scalar(), source_id_first, source_id_chars, 64)) {
      error(id.Mark(), "invalid source id '" + (id.IsScalar() ? id.Scalar() : std::string()) +
                           "': expected 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit");
      return;
    }
    workflow.id = id.Scalar();
    workflow.id_line = id.Mark().line + 1;
    workflow.id_column = id.Mark().column + 1;
    result.id = workflow.id;
    result.id_mark = id.Mark();
  }

  void read_nodes(const YAML::Node& root, Workflow& workflow) {
    const YAML::Node nodes = root["nodes"];
    if (!nodes.IsDefined() || nodes.IsNull()) {
      error(root.Mark(), "missing required key 'nodes' (the list of nodes, starting with a trigger)");
      return;
    }
    if (!nodes.IsSequence() || nodes.size() == 0) {
      error(nodes.Mark(), "'nodes' must be a non-empty list of nodes, starting with a trigger");
      return;
    }
    std::vector<PendingRoute> routes;
    for (const YAML::Node& node : nodes) workflow.nodes.push_back(read_node(node, workflow.nodes.size(), workflow, routes));
    resolve_routes(workflow, routes);
  }

  WorkflowNode read_node(const YAML::Node& node, std::size_t index, const Workflow& workflow, std::vector<PendingRoute>& routes) {
    WorkflowNode result;
    if (!node.IsMap()) {
      error(node.Mark(), "a node is a map with the keys id, plugin, with and on");
      return result;
    }
    check_keys(node, node_keys, " in a node");

    const YAML::Node id = node["id"];
    if (!id.IsDefined() || id.IsNull()) {
      error(node.Mark(), "missing required key 'id' in node #" + std::to_string(index + 1));
    } else if (!id.IsScalar() || !is_name(id.Scalar(), node_id_first, node_id_chars, 64)) {
      error(id.Mark(), "invalid node id: expected 1 to 64 of letters, digits, '_' and '-'");
    } else if (std::find(route_words.begin(), route_words.end(), id.Scalar()) != route_words.end()) {
      error(id.Mark(), "node id '" + id.Scalar() + "' is reserved: it is a route target");
    } else {
      for (std::size_t i = 0; i < index; ++i)
        if (workflow.nodes[i].id == id.Scalar()) {
          error(id.Mark(), "duplicate node id '" + id.Scalar() + "' (node #" + std::to_string(i + 1) + " has it too)");
          break;
        }
      result.id = id.Scalar();
    }
    const std::string label = result.id.empty() ? "node #" + std::to_string(index + 1) : "node '" + result.id + "'";

    const YAML::Node plugin_name = node["plugin"];
    if (!plugin_name.IsDefined() || plugin_name.IsNull() || !plugin_name.IsScalar()) {
      error(node.Mark(), "missing required key 'plugin' in " + label);
      return result;
    }
    auto plugin = plugins_.find(plugin_name.Scalar());
    if (!plugin) {
      error(plugin_name.Mark(), "unknown plugin '" + plugin_name.Scalar() + "'" + did_you_mean(plugin_name.Scalar(), plugins_.names()) +
                                    " (see `weft plugins`)");
      return result;
    }
    if (index == 0 && !plugin->is_trigger())
      error(plugin_name.Mark(), "the first node must be a trigger plugin such as webhook_trigger; '" + plugin->name + "' is not a trigger");
    if (index > 0 && plugin->is_trigger())
      error(plugin_name.Mark(), "'" + plugin->name + "' is a trigger: only the first node of a workflow may be one");

    const YAML::Node on = node["on"];
    if (on.IsDefined() && !on.IsNull() && !on.IsMap())
      error(on.Mark(), "'on' must be a map of port: target (a later node id, stop, drop or reject)");

    rapidjson::Document config;
    std::vector<ConfigProblem> problems;
    ConfigMarks marks;
    const YAML::Node with = node["with"];
    build_node_config(with, with.IsDefined() ? with.Mark() : node.Mark(), plugin->fields, config, problems, &marks);
    for (const ConfigProblem& p : problems) error(p.mark, label + " (" + plugin->name + "): " + p.message);
    if (!problems.empty() || result.id.empty()) return result;
    if (plugin->name == "deliver" && routing_ && !check_destination(config, marks, label)) return result;

    try {
      result.instance = std::make_unique<NodeInstance>(plugin, workflow.id + "/" + result.id, std::move(config));
    } catch (const NodeCreateError& e) {
      const auto at = marks.find(e.at);
      error(at != marks.end() ? at->second : with.IsDefined() ? with.Mark() : plugin_name.Mark(),
            label + " (" + plugin->name + "): " + (e.at.empty() ? "" : "'" + e.at + "': ") + e.what());
      return result;
    }
    result.routes.assign(result.instance->ports().size() + 1, Route{});
    result.routes.back().kind = Route::Kind::fail;
    // Routes are read once the node exists: a node may declare its own ports (ABI 1.2).
    if (on.IsDefined() && on.IsMap()) read_routes(on, *result.instance, index, label, routes);
    return result;
  }

  // A deliver node names a destination that exists (SPEC 17).
  bool check_destination(const rapidjson::Document& config, const ConfigMarks& marks, const std::string& label) {
    const auto it = config.FindMember("destination");
    if (it == config.MemberEnd() || !it->value.IsString()) return true;  // the config check reported it
    const std::string id(it->value.GetString(), it->value.GetStringLength());
    if (routing_->destinations.count(id)) return true;
    const std::vector<std::string> known(routing_->destinations.begin(), routing_->destinations.end());
    const auto at = marks.find("destination");
    error(at != marks.end() ? at->second : YAML::Mark(),
          label + " (deliver): unknown destination '" + id + "'" + did_you_mean(id, known) + " (destinations are the files of the destinations folder)");
    return false;
  }

  void read_routes(const YAML::Node& on, const NodeInstance& node, std::size_t index, const std::string& label,
                   std::vector<PendingRoute>& routes) {
    std::vector<std::string> ports = node.ports();
    ports.push_back("error");
    std::set<std::string> seen;
    for (const auto& entry : on) {
      const std::string port = entry.first.Scalar();
      const auto port_index = node.port_index(port);
      if (!port_index) {
        std::string list;
        for (const auto& p : ports) list += (list.empty() ? "" : ", ") + p;
        error(entry.first.Mark(), "unknown port '" + port + "' in " + label + ": this " + node.plugin().name + " node has " + list +
                                      did_you_mean(port, ports));
        continue;
      }
      if (!seen.insert(port).second) {
        error(entry.first.Mark(), "port '" + port + "' is routed twice in " + label);
        continue;
      }
      if (!entry.second.IsScalar()) {
        error(entry.second.Mark(), "a route target is a later node id, stop, drop or reject");
        continue;
      }
      routes.push_back({index, *port_index, entry.second.Scalar(), entry.second.Mark()});
    }
  }

  void resolve_routes(Workflow& workflow, const std::vector<PendingRoute>& routes) {
    std::vector<std::string> targets = route_words;
    for (const auto& n : workflow.nodes)
      if (!n.id.empty()) targets.push_back(n.id);
    for (const PendingRoute& r : routes) {
      Route route;
      if (r.target == "stop")
        route.kind = Route::Kind::stop;
      else if (r.target == "drop")
        route.kind = Route::Kind::drop;
      else if (r.target == "reject")
        route.kind = Route::Kind::reject;
      else {
        auto it = std::find_if(workflow.nodes.begin(), workflow.nodes.end(), [&](const WorkflowNode& n) { return n.id == r.target; });
        if (it == workflow.nodes.end()) {
          error(r.mark, "route to unknown node '" + r.target + "'" + did_you_mean(r.target, targets) +
                            " (a target is a later node id, stop, drop or reject)");
          continue;
        }
        const auto target = static_cast<std::size_t>(it - workflow.nodes.begin());
        if (target <= r.node) {
          error(r.mark, "route from '" + workflow.nodes[r.node].id + "' to '" + r.target +
                            "', which is not after it: routes go forward (workflows are acyclic)");
          continue;
        }
        route.kind = Route::Kind::node;
        route.target = target;
      }
      auto& node = workflow.nodes[r.node];
      if (node.instance) node.routes[r.port] = route;
    }
  }

  std::string file_;
  const PluginRegistry& plugins_;
  std::shared_ptr<const DeliveryRouting> routing_;  // null: destinations are not checked
  std::vector<Diagnostic>& diagnostics_;
  YamlDiagnostics yaml_;
};

bool is_workflow_file(const std::filesystem::path& path) {
  const auto ext = path.extension();
  return (ext == ".yaml" || ext == ".yml") && !is_workflow_test_file(path);
}

}  // namespace

std::vector<std::filesystem::path> expand_paths(const std::vector<std::filesystem::path>& paths,
                                                bool (*wanted)(const std::filesystem::path&), std::vector<Diagnostic>& diagnostics) {
  std::vector<std::filesystem::path> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> found;
      for (const auto& entry : std::filesystem::directory_iterator(path, ec))
        if (entry.is_regular_file() && wanted(entry.path())) found.push_back(entry.path());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::exists(path, ec)) {
      files.push_back(path);
    } else {
      diagnostics.push_back({path.string(), 1, 1, "no such file or directory"});
    }
  }
  return files;
}

bool is_workflow_test_file(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  return name.ends_with(".test.yaml") || name.ends_with(".test.yml");
}

std::shared_ptr<const Workflow> load_workflow(const std::filesystem::path& file, const PluginRegistry& plugins,
                                              std::vector<Diagnostic>& diagnostics, std::shared_ptr<const DeliveryRouting> routing) {
  return FileLoader(file, plugins, std::move(routing), diagnostics).load().workflow;
}

std::map<std::string, std::shared_ptr<const Workflow>> load_workflows(const std::vector<std::filesystem::path>& paths,
                                                                      const PluginRegistry& plugins,
                                                                      std::vector<Diagnostic>& diagnostics,
                                                                      std::shared_ptr<const DeliveryRouting> routing) {
  std::map<std::string, std::shared_ptr<const Workflow>> workflows;
  std::map<std::string, Diagnostic> first_file_of;  // source id -> where it was first defined
  for (const auto& file : expand_paths(paths, is_workflow_file, diagnostics)) {
    LoadedFile loaded = FileLoader(file, plugins, routing, diagnostics).load();
    if (loaded.id.empty()) continue;
    const Diagnostic here{file.string(), loaded.id_mark.line + 1, loaded.id_mark.column + 1, ""};
    if (auto it = first_file_of.find(loaded.id); it != first_file_of.end()) {
      diagnostics.push_back({here.file, here.line, here.column,
                             "source id '" + loaded.id + "' is already defined in " + it->second.file + ":" +
                                 std::to_string(it->second.line) + ":" + std::to_string(it->second.column)});
      continue;
    }
    first_file_of.emplace(loaded.id, here);
    if (loaded.workflow) workflows.emplace(loaded.id, std::move(loaded.workflow));
  }
  return workflows;
}

}  // namespace weft
