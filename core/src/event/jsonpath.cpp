#include "weft/event/jsonpath.hpp"

#include "jsonpath_syntax.hpp"

namespace weft {
namespace {

// The fast path: most configured paths are singular, and read once per event.
const rapidjson::Value* select_singular(const rapidjson::Value& root, const std::vector<PathSegment>& segments) {
  const rapidjson::Value* current = &root;
  for (const PathSegment& segment : segments) {
    current = segment.kind == PathSegment::Kind::name ? jsonpath::child_by_name(*current, segment.name)
                                                      : jsonpath::child_by_index(*current, segment.index);
    if (!current) return nullptr;
  }
  return current;
}

}  // namespace

JsonPath JsonPath::parse(std::string_view text) {
  JsonPath path;
  path.query_ = jsonpath::parse(text);
  path.text_ = std::string(text);
  path.singular_ = path.query_->query.singular();
  if (path.singular_) {
    for (const jsonpath::Segment& segment : path.query_->query.segments) {
      const jsonpath::Selector& selector = segment.selectors[0];
      if (selector.kind == jsonpath::Selector::Kind::name)
        path.segments_.push_back(PathSegment{PathSegment::Kind::name, selector.name, 0});
      else
        path.segments_.push_back(PathSegment{PathSegment::Kind::index, "", selector.index});
    }
  }
  return path;
}

const rapidjson::Value* JsonPath::select(const rapidjson::Value& root) const {
  if (singular_) return select_singular(root, segments_);
  std::vector<const rapidjson::Value*> nodes;
  jsonpath::evaluate(query_->query, root, nodes);
  return nodes.empty() ? nullptr : nodes.front();
}

void JsonPath::select_all(const rapidjson::Value& root, std::vector<const rapidjson::Value*>& nodes) const {
  if (singular_) {
    if (const rapidjson::Value* node = select_singular(root, segments_)) nodes.push_back(node);
    return;
  }
  jsonpath::evaluate(query_->query, root, nodes);
}

}  // namespace weft
