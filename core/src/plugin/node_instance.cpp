#include "weft/plugin/node_instance.hpp"

#include "weft/plugin/host_services.hpp"

#include <algorithm>

namespace weft {

NodeInstance::NodeInstance(std::shared_ptr<const Plugin> plugin, std::string label, rapidjson::Document config)
    : plugin_(std::move(plugin)), label_(std::move(label)), config_(std::move(config)), host_(make_host_table(&label_)) {
  std::string error_at;
  weft_config view{&config_, &ports_, &error_at};
  weft_error error{};
  try {
    node_ = plugin_->descriptor->create(&host_, &view, &error);
  } catch (...) {  // a plugin broke the ABI contract by throwing; contain it
    throw NodeCreateError("plugin '" + plugin_->name + "' threw out of create (plugins must not throw across the ABI)");
  }
  if (!node_) throw NodeCreateError(error.message[0] ? error.message : "create failed without a message", std::move(error_at));
}

std::optional<std::size_t> NodeInstance::port_index(const std::string& port) const {
  const auto& names = ports();
  if (port == "error") return names.size();
  auto it = std::find(names.begin(), names.end(), port);
  if (it == names.end()) return std::nullopt;
  return static_cast<std::size_t>(it - names.begin());
}

NodeInstance::~NodeInstance() {
  if (node_) plugin_->descriptor->destroy(node_);
}

NodeResult NodeInstance::process(weft_event& event) const {
  weft_error error{};
  int port = WEFT_PORT_ERROR;
  event.host_failure.clear();
  const std::size_t count = ports().size();
  try {
    port = plugin_->descriptor->process(node_, &event, &error);
  } catch (...) {
    return {count, "plugin '" + plugin_->name + "' threw out of process (plugins must not throw across the ABI)"};
  }
  if (!event.host_failure.empty()) return {count, std::move(event.host_failure)};
  if (port == WEFT_PORT_ERROR) return {count, error.message[0] ? error.message : "failed without a message"};
  if (port < 0 || static_cast<std::size_t>(port) >= count)
    return {count, "plugin '" + plugin_->name + "' returned port " + std::to_string(port) + ", but it declares " + std::to_string(count) +
                       " port(s)"};
  return {static_cast<std::size_t>(port), {}};
}

}  // namespace weft
