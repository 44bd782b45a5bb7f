#include "weft_app.hpp"

#include <Poco/Exception.h>

#include <iostream>

int main(int argc, char** argv) {
  weft::app::WeftApp app;
  try {
    app.init(argc, argv);
  } catch (const Poco::Exception& e) {
    std::cerr << "weft: " << e.displayText() << "\n(run `weft --help` for usage)\n";
    return weft::app::exit_usage;
  }
  return app.execute();
}
