#include "weft/store/stored_trace.hpp"

#include "weft/event/json.hpp"
#include "weft/store/store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>

namespace weft {
namespace {

std::string fnv1a_hex(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) hex[static_cast<std::size_t>(i)] = digits[hash & 15];
  return hex;
}

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(JsonWriter& w, const std::string& s) { w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size())); }

// "node" and "plugin", the members a shape's node and a rendered step share.
void write_names(JsonWriter& w, const TraceShape::Node& node) {
  w.Key("node");
  write_string(w, node.id);
  w.Key("plugin");
  write_string(w, node.plugin);
}

std::string shape_json(const std::vector<TraceShape::Node>& nodes) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  for (const auto& node : nodes) {
    w.StartObject();
    write_names(w, node);
    w.Key("ports");
    w.StartArray();
    for (const auto& port : node.ports) write_string(w, port);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Reads the unsigned number at `at` up to `end`; advances `at`.
bool read_number(const char*& at, const char* end, std::int64_t& out) {
  const auto [next, ec] = std::from_chars(at, end, out);
  if (ec != std::errc() || out < 0) return false;
  at = next;
  return true;
}

}  // namespace

TraceShape::TraceShape(std::vector<Node> nodes_in) : nodes(std::move(nodes_in)), json(shape_json(nodes)), key(fnv1a_hex(json)) {}

std::optional<TraceShape> TraceShape::parse(std::string_view text) {
  rapidjson::Document doc;
  if (!parse_json(text, doc, doc.GetAllocator(), 4).ok || !doc.IsArray()) return std::nullopt;
  std::vector<Node> nodes;
  for (const auto& n : doc.GetArray()) {
    if (!n.IsObject()) return std::nullopt;
    const auto id = n.FindMember("node"), plugin = n.FindMember("plugin"), ports = n.FindMember("ports");
    if (id == n.MemberEnd() || !id->value.IsString() || plugin == n.MemberEnd() || !plugin->value.IsString() ||
        ports == n.MemberEnd() || !ports->value.IsArray())
      return std::nullopt;
    Node node{std::string(id->value.GetString(), id->value.GetStringLength()),
              std::string(plugin->value.GetString(), plugin->value.GetStringLength()), {}};
    for (const auto& p : ports->value.GetArray()) {
      if (!p.IsString()) return std::nullopt;
      node.ports.emplace_back(p.GetString(), p.GetStringLength());
    }
    nodes.push_back(std::move(node));
  }
  return TraceShape(std::move(nodes));
}

std::string compact_trace(const TraceShape& shape, const std::vector<TraceEntry>& trace) {
  std::string out = shape.key;
  out += ':';
  for (std::size_t i = 0; i < trace.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(trace[i].node);
    out += '.';
    out += std::to_string(trace[i].port);
    out += '.';
    out += std::to_string(trace[i].micros);
  }
  return out;
}

std::string TraceShapes::expand(const std::string& stored, const Loader& load) {
  if (stored.empty() || stored.front() == '[') return stored;  // written before schema 9
  const auto corrupt = [&](const std::string& why) { return StoreError("the stored trace '" + stored.substr(0, 80) + "' " + why); };
  const std::size_t colon = stored.find(':');
  if (colon == std::string::npos) throw corrupt("is not a trace this weft wrote");
  const std::string_view key(stored.data(), colon);
  auto it = known_.find(key);
  if (it == known_.end()) {
    const auto json = load(key);
    if (!json) throw corrupt("names a workflow shape the store does not have");
    auto shape = TraceShape::parse(*json);
    if (!shape) throw corrupt("names a workflow shape the store cannot read");
    it = known_.emplace(std::string(key), std::move(*shape)).first;
  }
  const TraceShape& shape = it->second;

  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  const char* at = stored.data() + colon + 1;
  const char* const end = stored.data() + stored.size();
  while (at < end) {
    std::int64_t node = 0, port = 0, micros = 0;
    if (!read_number(at, end, node) || at == end || *at++ != '.' || !read_number(at, end, port) || at == end || *at++ != '.' ||
        !read_number(at, end, micros) || (at < end && (*at++ != ',' || at == end)))
      throw corrupt("is not a trace this weft wrote");
    if (static_cast<std::size_t>(node) >= shape.nodes.size() || static_cast<std::size_t>(port) >= shape.nodes[node].ports.size())
      throw corrupt("names a node or port its workflow shape does not have");
    const TraceShape::Node& n = shape.nodes[static_cast<std::size_t>(node)];
    w.StartObject();
    write_names(w, n);
    w.Key("port");
    write_string(w, n.ports[static_cast<std::size_t>(port)]);
    w.Key("micros");
    w.Int64(micros);
    w.EndObject();
  }
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace weft
