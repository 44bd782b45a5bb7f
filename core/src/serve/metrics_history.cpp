#include "weft/serve/metrics_history.hpp"

#include "weft/base/clock.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace weft {

MetricsHistory::MetricsHistory(const Metrics& metrics, std::chrono::milliseconds period, std::size_t keep)
    : metrics_(metrics), period_(period), keep_(keep) {
  sample();
  thread_ = std::thread([this] { run(); });
}

MetricsHistory::~MetricsHistory() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_one();
  thread_.join();
}

void MetricsHistory::run() {
  std::unique_lock lock(mutex_);
  while (!stop_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    sample();
    lock.lock();
  }
}

void MetricsHistory::sample() {
  auto values = metrics_.snapshot();
  std::lock_guard lock(mutex_);
  samples_.emplace_back(now_micros(), std::move(values));
  while (samples_.size() > keep_) samples_.pop_front();
}

std::string MetricsHistory::json() const {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  const auto text = [&w](const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("period_seconds");
  w.Double(static_cast<double>(period_.count()) / 1000.0);
  w.Key("samples");
  w.StartArray();
  // the kept samples, and the values now (so that the newest figures are never a period old)
  std::deque<std::pair<std::int64_t, Metrics::Snapshot>> samples;
  {
    std::lock_guard lock(mutex_);
    samples = samples_;
  }
  samples.emplace_back(now_micros(), metrics_.snapshot());
  for (const auto& [at, s] : samples) {
    w.StartObject();
    w.Key("at");
    text(format_time(at));
    w.Key("events");
    w.StartObject();
    for (const auto& [source, by_status] : s.events) {
      text(source);
      w.StartObject();
      for (const auto& [status, count] : by_status) {
        text(status);
        w.Double(count);
      }
      w.EndObject();
    }
    w.EndObject();
    w.Key("merges");
    w.Double(s.merges);
    w.Key("merges_refused");
    w.Double(s.merges_refused);
    w.Key("queue");
    w.Double(s.queue_depth);
    w.Key("profiles");
    w.Double(s.profiles);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(b.GetString(), b.GetSize());
}

}  // namespace weft
