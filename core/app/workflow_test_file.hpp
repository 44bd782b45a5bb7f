// A workflow test file (`*.test.yaml`, SPEC 15), read and checked: the source under test, and
// cases of events posted in order with what each should do, and the live profiles expected
// afterwards. Mistakes are Diagnostics at file:line:column, with suggestions for unknown keys.
#pragma once

#include "weft/base/diagnostic.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace weft::app {

struct ExpectedRun {
  std::optional<std::string> status;             // processed | failed | rejected | dropped | suppressed | duplicate
  std::optional<std::vector<std::string>> path;  // node ids, in order
  std::optional<std::string> type;
  std::optional<std::string> properties;         // a JSON object: these keys at least
  std::optional<std::string> error;              // a substring of the error
};

struct TestEvent {
  int line = 0;
  std::string body;  // JSON text, as a sender would post it
  std::vector<std::pair<std::string, std::string>> headers;
  ExpectedRun expect;
};

struct ExpectedProfile {
  int line = 0;
  std::vector<std::string> identifiers;  // TYPE:VALUE, sorted: exactly these
  std::optional<std::string> traits;     // a JSON object: these keys at least
  std::optional<std::int64_t> events;
};

struct ExpectedMessage {
  int line = 0;
  std::string destination;
  std::optional<std::string> type;
  std::optional<std::string> data;  // a JSON object: these keys at least
};

struct TestCase {
  int line = 0;
  std::string name;
  std::vector<TestEvent> events;
  std::optional<std::vector<ExpectedProfile>> profiles;  // the live profiles afterwards: exactly these
  std::optional<std::vector<ExpectedMessage>> messages;  // the messages to destinations, in order: exactly these
};

struct TestFile {
  std::string file;
  std::string source;
  int source_line = 1;  // where `source:` is, for errors about it
  int source_column = 1;
  std::vector<TestCase> cases;
};

// Reads one file; nullopt when it has any mistake (all appended to `diagnostics`).
std::optional<TestFile> read_test_file(const std::filesystem::path& file, std::vector<Diagnostic>& diagnostics);

}  // namespace weft::app
