#include "chatdesk/core/error.hpp"

namespace chatdesk {

std::string error::to_string() const {
  std::string out;
  out.reserve(code.size() + message.size() + where.size() + 24);
  out += "[chatdesk.";
  out += code;
  out += "] ";
  out += message;
  if (!where.empty()) {
    out += " (at ";
    out += where;
    out += ')';
  }
  return out;
}

namespace detail {
void throw_error(error e) {
  throw exception(std::move(e));
}
}  // namespace detail

}  // namespace chatdesk
