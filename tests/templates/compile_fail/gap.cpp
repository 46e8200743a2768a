// Must not compile: {{2}} is missing.
#include "chatdesk/templates/checked.hpp"

int main() {
  auto args = chatdesk::checked_arguments("Hi {{1}}, order {{3}}.", "Maria", "A-1");
  return static_cast<int>(args.body.size());
}
