// Compile-time checked templates: when the body text is known while compiling,
// giving it the wrong number of values is a compile error, as with fmt's
// checked format strings. Content is still checked when running.
#include <fmt/format.h>

#include "chatdesk/templates/checked.hpp"
#include "chatdesk/wire/send.hpp"

int main() {
  namespace cd = chatdesk;
  auto bound = cd::bind_checked("order_ships", "en_US", cd::template_category::utility,
                                "Hi {{1}}, your order {{2}} ships {{3}}.", "Maria", "A-1042", "today");
  if (!bound) return 1;
  fmt::print("{}\n", bound->body);
  fmt::print("{}\n",
             cd::send_request_json(*bound, cd::phone_number::parse("+39 333 123 4567").value()).value());

  // This line would not compile: the text has two variables and one value.
  //   cd::bind_checked("x", "en_US", cd::template_category::utility, "Hi {{1}}, order {{2}}.", "Maria");

  // Values are still checked when running: new lines are refused.
  auto refused = cd::render_checked("Hi {{1}}", "two\nlines");
  fmt::print("refused: {}\n", refused.error().message);
  return 0;
}
