// Runs a program to completion and captures what it printed, for tests of the command line.
#pragma once

#include <string>
#include <vector>

namespace weft::test {

struct ProcessResult {
  int exit_code;
  std::string out;
  std::string err;
};

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args, const std::string& working_dir = "");

// Runs the weft binary under test.
ProcessResult run_weft(const std::vector<std::string>& args, const std::string& working_dir = "");

}  // namespace weft::test
