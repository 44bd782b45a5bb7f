// Reads workflow YAML files into Workflows, reporting every mistake of SPEC 3 as a Diagnostic:
// YAML syntax, unknown keys (with suggestions), unknown plugins, config values of the wrong
// type or missing, invalid JSONPaths, duplicate ids, a first node that is not a trigger,
// routes to unknown or earlier nodes, and two files with one source id.
#pragma once

#include "weft/base/diagnostic.hpp"
#include "weft/plugin/plugin_registry.hpp"
#include "weft/workflow/workflow.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <vector>

namespace weft {

// One file. Returns nullptr when it has any error (all of them appended to `diagnostics`).
// With `routing`, a deliver node must name one of its destinations, and the workflow carries it
// (its subscriptions); without, destinations are not checked and nothing subscribes.
std::shared_ptr<const Workflow> load_workflow(const std::filesystem::path& file, const PluginRegistry& plugins,
                                              std::vector<Diagnostic>& diagnostics,
                                              std::shared_ptr<const DeliveryRouting> routing = nullptr);

// Files and folders as a command's arguments name them: a file as it is; a folder's files that
// `wanted` accepts, in name order (not recursive); a missing path is a diagnostic.
std::vector<std::filesystem::path> expand_paths(const std::vector<std::filesystem::path>& paths,
                                                bool (*wanted)(const std::filesystem::path&), std::vector<Diagnostic>& diagnostics);

// Whether `path` is a workflow test file (*.test.yaml, *.test.yml: SPEC 15), never a workflow.
bool is_workflow_test_file(const std::filesystem::path& path);

// Files and directories (their *.yaml and *.yml but test files, in name order). Returns the valid workflows by
// source id; a second file with a known id is an error.
std::map<std::string, std::shared_ptr<const Workflow>> load_workflows(const std::vector<std::filesystem::path>& paths,
                                                                      const PluginRegistry& plugins,
                                                                      std::vector<Diagnostic>& diagnostics,
                                                                      std::shared_ptr<const DeliveryRouting> routing = nullptr);

}  // namespace weft
