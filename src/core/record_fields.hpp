// Pieces of the compact records modules keep in a store (internal): whole
// numbers read exactly, fields split at a separator, text from outside made
// safe to keep between separators, and sums of money per currency.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/money.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk::detail {

/// `s` as a whole number, all of it; false otherwise.
template <class Int>
bool whole_number(std::string_view s, Int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

/// The fields of `s` between `sep` (one more than there are separators).
inline std::vector<std::string_view> split_fields(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

/// Text from outside, fit to keep in a record: control characters (the
/// records' separators among them) become spaces, invalid UTF-8 is escaped,
/// and it is cut to at most `max_bytes` on a character boundary.
inline std::string record_text(std::string_view text, std::size_t max_bytes) {
  std::string out = utf8::valid(text) ? std::string(text) : utf8::escape_invalid(text);
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  if (out.size() > max_bytes) out.resize(max_bytes);
  while (!out.empty() && !utf8::valid(out)) out.pop_back();
  return out;
}

/// Adds `m` to the sum of its currency in `sums`, kept in currency-code
/// order. Throws `chatdesk::exception` (`money.overflow`) past 64 bits.
inline void add_to_sums(std::vector<money>& sums, money m) {
  auto it =
      std::find_if(sums.begin(), sums.end(), [&](const money& s) { return s.currency() == m.currency(); });
  if (it == sums.end()) {
    sums.insert(std::upper_bound(
                    sums.begin(), sums.end(), m,
                    [](const money& a, const money& b) { return a.currency().code() < b.currency().code(); }),
                m);
    return;
  }
  auto sum = money::checked_add(*it, m);
  if (!sum) throw exception(sum.error());
  *it = *sum;
}

}  // namespace chatdesk::detail
