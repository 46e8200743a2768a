// Reading input with limits: files, streams and lines; a read error is never the end of the input.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>

#include "chatdesk/core/input.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;

namespace {

/// A stream buffer that hands out `text`, then fails as a disk or a pipe would.
class failing_buffer final : public std::streambuf {
 public:
  explicit failing_buffer(std::string text) : text_(std::move(text)) {
    setg(text_.data(), text_.data(), text_.data() + text_.size());
  }

 protected:
  int_type underflow() override { throw std::ios_base::failure("I/O error"); }

 private:
  std::string text_;
};

/// A temporary directory removed at the end of the test.
struct scratch {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("chatdesk-input-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  scratch() { std::filesystem::create_directories(dir); }
  ~scratch() { std::filesystem::remove_all(dir); }
  std::string write(const char* name, const std::string& text) const {
    const auto path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
};

std::vector<std::string> all_lines(line_reader& r, std::vector<std::string>* errors = nullptr) {
  std::vector<std::string> out;
  while (auto line = r.next()) {
    if (*line) {
      out.emplace_back(**line);
    } else if (errors != nullptr) {
      errors->push_back(line->error().code + " " + line->error().where);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("read_file reads a file and names what is wrong with a path", "[core][input]") {
  scratch s;
  const auto path = s.write("card.json", "{\"a\":1}");
  CHECK(read_file(path, 100).value() == "{\"a\":1}");
  CHECK(read_file(path, 7).value() == "{\"a\":1}");  // exactly the limit

  auto big = read_file(path, 6);
  REQUIRE_FALSE(big);
  CHECK(big.error().code == "input.too_large");
  CHECK(big.error().where == path);

  auto missing = read_file((s.dir / "nope.json").string(), 100);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == "input.not_found");

  auto dir = read_file(s.dir.string(), 100);
  REQUIRE_FALSE(dir);
  CHECK(dir.error().code == "input.directory");
  CHECK(dir.error().message.find("is a directory") != std::string::npos);
}

TEST_CASE("a never-ending file is refused at the limit", "[core][input]") {
  if (!std::filesystem::exists("/dev/zero")) return;
  auto r = read_file("/dev/zero", std::size_t{1} << 20U);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "input.too_large");
  CHECK(r.error().message.find("1 MiB") != std::string::npos);
}

TEST_CASE("a stream that fails part way is an error, not a short input", "[core][input]") {
  failing_buffer buffer("{\"partial\":");
  std::istream in(&buffer);
  auto r = read_stream(in, 1000, "standard input");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "input.read");
  CHECK(r.error().message.find("standard input") != std::string::npos);

  std::istringstream fine("all of it");
  CHECK(read_stream(fine, 100, "standard input").value() == "all of it");
}

TEST_CASE("line_reader reads lines, with or without a last newline", "[core][input]") {
  std::istringstream in("one\r\ntwo\n\nlast");
  line_reader r(in, 100, "test");
  CHECK(all_lines(r) == std::vector<std::string>{"one\r", "two", "", "last"});
  CHECK(r.line_number() == 4);
  CHECK_FALSE(r.failure());

  std::istringstream empty("");
  line_reader e(empty, 100, "test");
  CHECK_FALSE(e.next());
  CHECK_FALSE(e.failure());

  std::istringstream trailing("a\n");
  line_reader t(trailing, 100, "test");
  CHECK(all_lines(t) == std::vector<std::string>{"a"});
}

TEST_CASE("line_reader skips a line over the limit and goes on", "[core][input]") {
  // Long lines inside one block and across several blocks of 64 KiB.
  for (const std::size_t long_size : {std::size_t{50}, std::size_t{300'000}}) {
    const std::string text = "short\n" + std::string(long_size, 'x') + "\nafter\n";
    std::istringstream in(text);
    line_reader r(in, 40, "events.jsonl");
    std::vector<std::string> errors;
    CHECK(all_lines(r, &errors) == std::vector<std::string>{"short", "after"});
    CHECK(errors == std::vector<std::string>{"input.line_too_long events.jsonl:2"});
    CHECK(r.line_number() == 3);
  }
  // A line longer than a block but under the limit is whole.
  const std::string wide(200'000, 'y');
  std::istringstream in("a\n" + wide + "\nb");
  line_reader r(in, 1 << 20, "test");
  CHECK(all_lines(r) == std::vector<std::string>{"a", wide, "b"});
}

TEST_CASE("line_reader tells a read error from the end", "[core][input]") {
  failing_buffer buffer("{\"line\":1}\n{\"line\":2}\n{\"li");
  std::istream in(&buffer);
  line_reader r(in, 100, "events.jsonl");
  CHECK(all_lines(r).size() <= 2);  // what came before the error may be read
  REQUIRE(r.failure());
  CHECK(r.failure()->code == "input.read");
  CHECK(r.failure()->message.find("events.jsonl") != std::string::npos);

  std::ifstream closed("/nonexistent/chatdesk/file");
  line_reader c(closed, 100, "a missing file");
  CHECK_FALSE(c.next());
  REQUIRE(c.failure());
}
