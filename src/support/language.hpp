#pragma once
// A customer's language guessed from their words, and a survey's score read
// from their answer. The guess is a hint for routing: a caller's language wins.
#include <optional>
#include <string>

#include "chatdesk/model/message.hpp"

namespace chatdesk::detail::support {

/// "it", "en", "es", "pt", "fr" or "de" when the message's words clearly
/// point to one of them (common short words counted); empty otherwise.
[[nodiscard]] std::string guess_language(const message& m);

/// 1 to 5 from a survey answer: a list or button reply with id "csat_N", or
/// a text that is just the digit.
[[nodiscard]] std::optional<int> survey_score(const message& m);

}  // namespace chatdesk::detail::support
