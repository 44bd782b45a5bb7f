#include "weft/plugin/node_instance.hpp"

#include "weft/plugin/host_services.hpp"

namespace weft {

NodeInstance::NodeInstance(std::shared_ptr<const Plugin> plugin, std::string label, rapidjson::Document config)
    : plugin_(std::move(plugin)), label_(std::move(label)), config_(std::move(config)), host_(make_host_table(&label_)) {
  weft_config view{&config_};
  weft_error error{};
  try {
    node_ = plugin_->descriptor->create(&host_, &view, &error);
  } catch (...) {  // a plugin broke the ABI contract by throwing; contain it
    throw NodeCreateError("plugin '" + plugin_->name + "' threw out of create (plugins must not throw across the ABI)");
  }
  if (!node_) throw NodeCreateError(error.message[0] ? error.message : "create failed without a message");
}

NodeInstance::~NodeInstance() {
  if (node_) plugin_->descriptor->destroy(node_);
}

NodeResult NodeInstance::process(weft_event& event) const {
  weft_error error{};
  int port = WEFT_PORT_ERROR;
  event.host_failure.clear();
  try {
    port = plugin_->descriptor->process(node_, &event, &error);
  } catch (...) {
    return {plugin_->ports.size(), "plugin '" + plugin_->name + "' threw out of process (plugins must not throw across the ABI)"};
  }
  if (!event.host_failure.empty()) return {plugin_->ports.size(), std::move(event.host_failure)};
  if (port == WEFT_PORT_ERROR) return {plugin_->ports.size(), error.message[0] ? error.message : "failed without a message"};
  if (port < 0 || static_cast<std::size_t>(port) >= plugin_->ports.size())
    return {plugin_->ports.size(), "plugin '" + plugin_->name + "' returned port " + std::to_string(port) + ", but it declares " +
                                       std::to_string(plugin_->ports.size()) + " port(s)"};
  return {static_cast<std::size_t>(port), {}};
}

}  // namespace weft
