// The child process of delta_wal_differential_test.cpp: SqlSessions on one store, driven by
// messages on stdin ({slot byte, 'o' + cache pages | 'c' | 'r' + SQL}), answered on stdout.
// A program of its own, started with exec: SQLite's unix VFS keeps per-process lock state
// that a fork() of a process with open connections would inherit wrongly.
//   usage: sql_session_child DATABASE weft|unix
#include "weft/store/sqlite/sqlite_wal_vfs.hpp"

#include "sql_session.hpp"

#include <unistd.h>

#include <exception>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) return 64;
  const std::string path = argv[1];
  const char* vfs = std::string(argv[2]) == "weft" ? weft::weft_sqlite_vfs() : "unix";
  std::unique_ptr<weft::test::SqlSession> slots[256];
  std::string message;
  while (weft::test::read_message(STDIN_FILENO, message)) {
    std::string answer;
    try {
      auto& session = slots[static_cast<unsigned char>(message.at(0))];
      const std::string argument = message.substr(2);
      if (message.at(1) == 'o') {
        session = std::make_unique<weft::test::SqlSession>(path, vfs, std::stoi(argument));
        answer = "opened";
      } else if (message.at(1) == 'c') {
        session.reset();
        answer = "closed";
      } else {
        answer = session ? session->run(argument) : "not open";
      }
    } catch (const std::exception& e) {
      answer = std::string("failed: ") + e.what();
    }
    weft::test::write_message(STDOUT_FILENO, answer);
  }
  return 0;
}
