#include "weft/workflow/split_request.hpp"

namespace weft {

std::shared_ptr<const JsonPath> split_of(const Workflow& workflow) {
  if (workflow.nodes.empty()) return nullptr;
  const rapidjson::Value& config = workflow.nodes.front().instance->config();
  const auto split = config.FindMember("split");
  if (split == config.MemberEnd() || !split->value.IsString()) return nullptr;
  return std::make_shared<const JsonPath>(JsonPath::parse({split->value.GetString(), split->value.GetStringLength()}));
}

SplitRequest split_request(const JsonPath& split, const EventDocument& request, std::size_t max_items) {
  SplitRequest result;
  std::vector<const rapidjson::Value*> nodes;
  try {
    split.select_all(request.root(), nodes);
  } catch (const JsonPathLimitError& e) {
    result.problem = e.what();
    return result;
  }
  result.selected = nodes.size();
  if (nodes.size() > max_items) return result;
  const rapidjson::Value& headers = request.root()["headers"];
  result.items.reserve(nodes.size());
  for (const rapidjson::Value* node : nodes) {
    auto item = std::make_unique<EventDocument>();
    rapidjson::Value copy(*node, item->allocator());
    if (copy.IsObject()) {
      item->payload() = std::move(copy);
    } else {
      item->payload().SetObject();
      item->payload().AddMember("value", std::move(copy), item->allocator());
    }
    for (const auto& header : headers.GetObject())
      item->set_header({header.name.GetString(), header.name.GetStringLength()}, {header.value.GetString(), header.value.GetStringLength()});
    result.items.push_back(std::move(item));
  }
  return result;
}

}  // namespace weft
