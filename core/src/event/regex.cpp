#include "weft/event/regex.hpp"

#include <re2/re2.h>

#include <stdexcept>

namespace weft {
namespace {

RE2::Options options() {
  RE2::Options o;
  o.set_log_errors(false);  // compile errors are reported to the workflow author, not logged
  return o;
}

std::string hint(const RE2& re) {
  const std::string& arg = re.error_arg();
  if (arg.rfind("(?=", 0) == 0 || arg.rfind("(?!", 0) == 0 || arg.rfind("(?<", 0) == 0)
    return " (weft's regexes are RE2, which has no lookahead or lookbehind so that matching stays linear in time; "
           "to keep only values of one shape, list that shape under `allowed:`)";
  if (arg.size() == 2 && arg[0] == '\\' && arg[1] >= '1' && arg[1] <= '9')
    return " (weft's regexes are RE2, which has no backreferences so that matching stays linear in time)";
  return "";
}

}  // namespace

std::string regex_problem(std::string_view pattern) {
  const RE2 re(re2::StringPiece(pattern.data(), pattern.size()), options());
  if (re.ok()) return "";
  return re.error() + hint(re);
}

PatternSet::PatternSet() = default;
PatternSet::PatternSet(PatternSet&&) noexcept = default;
PatternSet& PatternSet::operator=(PatternSet&&) noexcept = default;
PatternSet::~PatternSet() = default;

PatternSet::PatternSet(const std::vector<std::string>& patterns) {
  for (const std::string& pattern : patterns) {
    auto re = std::make_unique<RE2>(pattern, options());
    if (!re->ok()) throw std::invalid_argument("'" + pattern + "' is not a valid regular expression: " + re->error() + hint(*re));
    patterns_.push_back(std::move(re));
  }
}

bool PatternSet::matches(std::string_view text) const {
  const re2::StringPiece piece(text.data(), text.size());
  for (const auto& re : patterns_)
    if (RE2::FullMatch(piece, *re)) return true;
  return false;
}

}  // namespace weft
