#include "weft/base/clock.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <algorithm>

namespace weft {

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string format_time(std::int64_t micros) {
  std::int64_t seconds = micros / 1000000;
  std::int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(rest / 1000));
  return buffer;
}

std::optional<std::int64_t> parse_time(std::string_view text) {
  std::size_t at = 0;
  // `digits` decimal digits at `at`, or -1.
  const auto number = [&](std::size_t digits) -> int {
    if (at + digits > text.size()) return -1;
    int n = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const char c = text[at + i];
      if (c < '0' || c > '9') return -1;
      n = n * 10 + (c - '0');
    }
    at += digits;
    return n;
  };
  const auto expect = [&](std::string_view any_of) {
    if (at >= text.size() || any_of.find(text[at]) == std::string_view::npos) return false;
    ++at;
    return true;
  };
  const int year = number(4);
  if (year < 0 || !expect("-")) return std::nullopt;
  const int month = number(2);
  if (month < 1 || month > 12 || !expect("-")) return std::nullopt;
  const int day = number(2);
  if (day < 1 || day > 31) return std::nullopt;
  int hour = 0, minute = 0, second = 0;
  std::int64_t fraction = 0, offset = 0;
  if (at < text.size()) {
    if (!expect("Tt ") || (hour = number(2)) < 0 || hour > 23 || !expect(":") || (minute = number(2)) < 0 || minute > 59 || !expect(":") ||
        (second = number(2)) < 0 || second > 60)
      return std::nullopt;
    if (expect(".")) {
      std::int64_t scale = 100000;
      const std::size_t first = at;
      for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, scale /= 10) fraction += (text[at] - '0') * scale;
      if (at == first) return std::nullopt;
    }
    if (!expect("Zz")) {
      const bool minus = at < text.size() && text[at] == '-';
      if (!expect("+-")) return std::nullopt;
      const int oh = number(2);
      if (oh < 0 || oh > 23 || !expect(":")) return std::nullopt;
      const int om = number(2);
      if (om < 0 || om > 59) return std::nullopt;
      offset = (minus ? -1 : 1) * (oh * 3600 + om * 60);
    }
  }
  if (at != text.size()) return std::nullopt;
  std::tm parts{};
  parts.tm_year = year - 1900, parts.tm_mon = month - 1, parts.tm_mday = day, parts.tm_hour = hour, parts.tm_min = minute,
  parts.tm_sec = second;
  const std::int64_t seconds = static_cast<std::int64_t>(timegm(&parts)) - offset;
  return seconds * 1000000 + std::max<std::int64_t>(fraction, 0);
}

}  // namespace weft
