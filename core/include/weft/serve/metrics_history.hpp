// The last minutes of a serving process, for the console's overview charts (GET /stats):
// every `period` a sample of the counters (events per source and outcome, merges, refused
// merges) and gauges (queue depth, live profiles), the newest `keep` of them in memory.
#pragma once

#include "weft/serve/metrics.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace weft {

class MetricsHistory {
public:
  MetricsHistory(const Metrics& metrics, std::chrono::milliseconds period = std::chrono::seconds(5), std::size_t keep = 120);
  ~MetricsHistory();
  MetricsHistory(const MetricsHistory&) = delete;
  MetricsHistory& operator=(const MetricsHistory&) = delete;

  // {"period_seconds":5,"samples":[{"at":"...","events":{"slack":{"processed":N,...}},
  //  "merges":N,"merges_refused":N,"queue":N,"profiles":N}, ...]}, oldest first; the last
  // sample is taken by this call.
  std::string json() const;

  // Takes a sample now (the thread does so every period).
  void sample();

private:
  void run();

  const Metrics& metrics_;
  const std::chrono::milliseconds period_;
  const std::size_t keep_;
  mutable std::mutex mutex_;
  std::deque<std::pair<std::int64_t, Metrics::Snapshot>> samples_;  // (microseconds, values)
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace weft
