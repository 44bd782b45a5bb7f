// Small text helpers shared across the core.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace weft {

// The non-empty pieces of `text` between `separator`s: split("/a//b", '/') is {"a", "b"}.
std::vector<std::string> split(std::string_view text, char separator);

// Whether `text` is 1 to `max_length` characters, the first from `first` and the rest from
// `rest` (each a string of the allowed characters): the names of sources, nodes and plugins.
bool is_name(std::string_view text, std::string_view first, std::string_view rest, std::size_t max_length);

}  // namespace weft
