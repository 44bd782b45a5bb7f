// Progress of a long command on a terminal (weft ingest, weft rebuild, weft export): things
// done, rate and (with a total) time left on stderr, redrawn at most four times a second;
// silent when stderr is not a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace weft::app {

// 1234567 as "1,234,567".
std::string thousands(std::int64_t n);

class Progress {
public:
  // `total` 0: unknown. `unit`: what is counted, "events" by default.
  explicit Progress(std::int64_t total, std::string unit = "events");
  void update(std::int64_t done);
  // Clears the line.
  void finish();
  double seconds() const;

private:
  using clock = std::chrono::steady_clock;
  std::int64_t total_;
  std::string unit_;
  bool enabled_;
  clock::time_point started_;
  clock::time_point shown_;
};

}  // namespace weft::app
