#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <utility>

namespace weft::app {

std::string thousands(std::int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && digits[i - 1] != '-' && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

Progress::Progress(std::int64_t total, std::string unit)
    : total_(total), unit_(std::move(unit)), enabled_(isatty(STDERR_FILENO) == 1), started_(clock::now()), shown_(started_) {}

void Progress::update(std::int64_t done) {
  if (!enabled_) return;
  const auto now = clock::now();
  if (now - shown_ < std::chrono::milliseconds(250)) return;
  shown_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const std::string per_second = thousands(static_cast<std::int64_t>(rate));
  if (total_ <= 0) {
    std::fprintf(stderr, "\r%s %s  %s %s/s   ", thousands(done).c_str(), unit_.c_str(), per_second.c_str(), unit_.c_str());
    return;
  }
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
  std::fprintf(stderr, "\r%s/%s %s  %s %s/s  ETA %.0f s   ", thousands(done).c_str(), thousands(total_).c_str(), unit_.c_str(),
               per_second.c_str(), unit_.c_str(), eta);
}

void Progress::finish() {
  if (enabled_) std::fprintf(stderr, "\r%80s\r", "");
}

double Progress::seconds() const { return std::chrono::duration<double>(clock::now() - started_).count(); }

}  // namespace weft::app
