// Workflow authors' regexes (`blocked:`, `allowed:`): the first line of the input is compiled
// as a pattern, the rest is matched against it. Compiling refuses what RE2 cannot run in linear
// time; matching must never crash, recurse or stall on any subject.
#include "weft/event/regex.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string pattern(input.substr(0, newline));
  const std::string_view subject = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  if (!weft::regex_problem(pattern).empty()) return 0;
  try {
    const weft::PatternSet patterns({pattern});
    patterns.matches(subject);
  } catch (const std::invalid_argument&) {
    __builtin_trap();  // regex_problem said it compiles
  }
  return 0;
}
