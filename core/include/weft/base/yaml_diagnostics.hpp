// Mistakes in a YAML file as Diagnostics (file:line:column), and the check every map of a
// config, workflow or test file gets: unknown keys, with a "did you mean", and duplicates.
#pragma once

#include "weft/base/diagnostic.hpp"

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace weft {

class YamlDiagnostics {
public:
  YamlDiagnostics(std::string file, std::vector<Diagnostic>& out) : file_(std::move(file)), out_(out) {}

  // yaml-cpp marks are 0-based, and -1 when unknown.
  void error(const YAML::Mark& mark, std::string message) {
    out_.push_back({file_, std::max(mark.line, 0) + 1, std::max(mark.column, 0) + 1, std::move(message)});
  }

  // Each key of `map` must be one of `allowed`, once. Messages name it as `prefix` + key
  // ("limits.queue"), followed by `where` (" in a node").
  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& prefix, const std::string& where);

  std::size_t count() const { return out_.size(); }

private:
  std::string file_;
  std::vector<Diagnostic>& out_;
};

}  // namespace weft
