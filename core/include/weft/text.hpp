// Small text helpers shared across the core.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace weft {

// The non-empty pieces of `text` between `separator`s: split("/a//b", '/') is {"a", "b"}.
std::vector<std::string> split(std::string_view text, char separator);

}  // namespace weft
