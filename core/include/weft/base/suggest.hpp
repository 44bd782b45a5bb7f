// "Did you mean" suggestions for misspelt keys, plugin names and choices.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace weft {

// " (did you mean 'x'?)" for the candidate closest to `word` by edit distance, when it is
// close enough to be a plausible typo, or for the one candidate `word` abbreviates; otherwise
// "". `prefix` goes before the candidate (a nested key's path: "tls.").
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates, std::string_view prefix = {});

}  // namespace weft
