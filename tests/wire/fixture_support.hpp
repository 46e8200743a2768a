// Reading fixture files in the wire tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "helpers/catch.hpp"

namespace chatdesk::test {

inline const std::filesystem::path& wire_fixtures() {
  static const std::filesystem::path dir = std::filesystem::path(CHATDESK_SOURCE_DIR) / "tests/wire/fixtures";
  return dir;
}

/// The whole file; the test fails when it cannot be read.
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The non-empty lines of a text.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

}  // namespace chatdesk::test
