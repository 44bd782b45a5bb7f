// Which destinations exist and which profile changes each subscribes to (SPEC 17), as the
// workflows and the writer need them: loaded with the destinations, swapped with the workflows
// by a reload, and shared by every workflow of one set.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

struct DeliveryRouting {
  std::set<std::string, std::less<>> destinations;
  // profile.created | profile.updated | profile.merged | profile.split | profile.erased → the
  // destinations that subscribe to it, by id.
  std::map<std::string, std::vector<std::string>, std::less<>> subscribers;

  const std::vector<std::string>& subscribed(std::string_view type) const {
    static const std::vector<std::string> none;
    const auto it = subscribers.find(type);
    return it == subscribers.end() ? none : it->second;
  }
};

}  // namespace weft
