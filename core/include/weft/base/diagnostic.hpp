// An error found in a file, printed as `file:line:column: message`.
#pragma once

#include <string>

namespace weft {

struct Diagnostic {
  std::string file;
  int line = 1;    // 1-based
  int column = 1;  // 1-based
  std::string message;

  std::string str() const { return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message; }
};

}  // namespace weft
