// Must compile: the control for the compile-fail tests.
#include "chatdesk/templates/checked.hpp"

int main() {
  auto args = chatdesk::checked_arguments("Hi {{1}}, order {{2}}.", "Maria", "A-1");
  return args.body.size() == 2 ? 0 : 1;
}
