// What a weft delta log (`<db>-dwal`, delta_wal_log.hpp) holds, decoded: for the tests that
// search a store's files for erased bytes. A raw search of the log proves nothing (its frames
// are deltas and LZ4), so every record found anywhere in the file, of any generation, is
// decoded: whole frames as they are, compressed ones decompressed, deltas applied to their
// base where it is known, and otherwise their runs' bytes as they are.
#pragma once

#include <string>

namespace weft::test {

// The file's bytes, then the decoded frames and payloads of every record in it, concatenated.
std::string dwal_contents(const std::string& log);

}  // namespace weft::test
