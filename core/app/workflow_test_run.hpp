// Runs one case of a workflow test file (SPEC 15) through the real plugins, the executor's path
// (EventWriter, a savepoint per event) and a fresh in-memory store, and compares what happened
// with what the case expects.
#pragma once

#include "workflow_test_file.hpp"

#include "weft/workflow/workflow.hpp"

#include <string>
#include <vector>

namespace weft::app {

// The differences, one line each ("event 2 (line 14): status: expected ..., got ..."); empty
// when the case passes.
std::vector<std::string> run_test_case(const Workflow& workflow, const TestCase& test, std::size_t max_json_depth, std::size_t max_items);

}  // namespace weft::app
