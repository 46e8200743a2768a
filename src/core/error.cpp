#include "chatdesk/core/error.hpp"

#include "chatdesk/core/utf8.hpp"

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

error make_error(std::string_view code, std::string message, std::string where) {
  if (!utf8::valid(message)) message = utf8::escape_invalid(message);
  if (!utf8::valid(where)) where = utf8::escape_invalid(where);
  return error{std::string(code), std::move(message), std::move(where)};
}

namespace detail {
void throw_error(error e) {
  throw exception(std::move(e));
}
}  // namespace detail

}  // namespace chatdesk
