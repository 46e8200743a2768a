// Must not compile: two variables, one value.
#include "chatdesk/templates/checked.hpp"

int main() {
  auto args = chatdesk::checked_arguments("Hi {{1}}, order {{2}}.", "Maria");
  return static_cast<int>(args.body.size());
}
