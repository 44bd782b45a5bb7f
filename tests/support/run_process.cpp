#include "run_process.hpp"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <thread>

namespace weft::test {

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args, const std::string& working_dir) {
  Poco::Pipe out_pipe, err_pipe;
  Poco::ProcessHandle handle = Poco::Process::launch(program, args, working_dir, nullptr, &out_pipe, &err_pipe);
  ProcessResult result{0, {}, {}};
  // Read stderr on its own thread so that neither pipe can fill up and block the child.
  std::thread err_reader([&] {
    Poco::PipeInputStream err(err_pipe);
    Poco::StreamCopier::copyToString(err, result.err);
  });
  Poco::PipeInputStream out(out_pipe);
  Poco::StreamCopier::copyToString(out, result.out);
  err_reader.join();
  result.exit_code = handle.wait();
  return result;
}

ProcessResult run_weft(const std::vector<std::string>& args, const std::string& working_dir) {
  return run_process(WEFT_BINARY, args, working_dir);
}

}  // namespace weft::test
