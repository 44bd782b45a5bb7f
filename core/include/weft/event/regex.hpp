// Regular expressions that meet payload values: RE2, whose matching is linear in the input,
// never recurses and has bounded memory, so a hostile 1 MiB value costs one pass. Every regex
// a workflow configures (`blocked:`, `allowed:`, the SDK's pattern lists) goes through here;
// std::regex is never used on input (it backtracks and recurses per character).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace weft {

// "" when `pattern` compiles, else why not, in words that name what to do instead (RE2 has no
// lookaround and no backreferences).
std::string regex_problem(std::string_view pattern);

// A list of patterns, each matched against a whole value. Immutable after construction and
// safe to share between threads.
class PatternSet {
public:
  PatternSet();
  // Throws std::invalid_argument naming the first pattern that does not compile.
  explicit PatternSet(const std::vector<std::string>& patterns);
  PatternSet(PatternSet&&) noexcept;
  PatternSet& operator=(PatternSet&&) noexcept;
  ~PatternSet();

  // Whether one of the patterns matches all of `text` (not a substring).
  bool matches(std::string_view text) const;

private:
  std::vector<std::unique_ptr<re2::RE2>> patterns_;
};

}  // namespace weft
