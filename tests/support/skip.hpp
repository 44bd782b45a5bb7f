// A test that cannot run on this machine ends as a ctest Skip (exit 77, the SKIP_RETURN_CODE of
// every test program), never as a pass that tested nothing; under CI=true it fails instead,
// because CI must run everything.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace weft::test {

inline void skip_test(const std::string& why) {
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") FAIL("CI=true, and this test cannot run: " << why);
  std::cout << "SKIPPED: " << why << std::endl;
  std::_Exit(77);  // ctest runs one test case per process: nothing else is cut short
}

}  // namespace weft::test
