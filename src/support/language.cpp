#include "language.hpp"

#include <array>
#include <string_view>
#include <variant>

namespace chatdesk::detail::support {
namespace {

struct language_words {
  std::string_view code;
  std::array<std::string_view, 20> words;
};

// Short, frequent words of each language, lower case as customers type them.
constexpr std::array<language_words, 6> known = {{
    {"it",
     {"ciao", "buongiorno", "grazie", "il",  "che",   "non",       "sono",   "vorrei", "ordine", "aiuto",
      "una",  "di",         "mio",    "mia", "salve", "buonasera", "perché", "dove",   "è",      "questo"}},
    {"en", {"hello", "hi",   "the", "and",  "is",    "my",  "order", "please", "thanks", "thank",
            "you",   "help", "i",   "what", "where", "can", "it",    "to",     "was",    "with"}},
    {"es", {"hola",   "gracias", "el",  "los",    "por",  "favor", "mi", "pedido", "ayuda", "es",
            "quiero", "dónde",   "qué", "buenos", "días", "tengo", "mí", "y",      "está",  "las"}},
    {"pt", {"olá", "ola",   "obrigado",  "obrigada", "meu",   "minha", "não",  "ajuda", "você", "bom",
            "dia", "quero", "encomenda", "está",     "tenho", "onde",  "isso", "um",    "uma",  "com"}},
    {"fr", {"bonjour", "merci", "le",    "les",     "est", "mon",  "ma",  "commande", "aide", "je",
            "vous",    "où",    "plaît", "bonsoir", "pas", "avec", "une", "des",      "suis", "et"}},
    {"de", {"hallo", "danke", "der",   "die",   "das", "ist", "mein", "meine", "bestellung", "hilfe",
            "ich",   "bitte", "nicht", "guten", "tag", "und", "mit",  "wo",    "habe",       "ein"}},
}};

bool letter(unsigned char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch >= 0x80 || ch == '\'';
}

}  // namespace

std::string guess_language(const message& m) {
  const auto* text = std::get_if<text_content>(&m.content);
  if (text == nullptr) return {};
  std::array<int, known.size()> score{};
  const std::string_view body = text->body;
  for (std::size_t i = 0; i < body.size();) {
    while (i < body.size() && !letter(static_cast<unsigned char>(body[i]))) ++i;
    const auto start = i;
    while (i < body.size() && letter(static_cast<unsigned char>(body[i]))) ++i;
    if (i == start) break;
    std::string word(body.substr(start, i - start));
    for (auto& ch : word)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    for (std::size_t l = 0; l < known.size(); ++l)
      for (const auto w : known[l].words)
        if (w == word) ++score[l];
  }
  std::size_t best = 0;
  for (std::size_t l = 1; l < known.size(); ++l)
    if (score[l] > score[best]) best = l;
  if (score[best] == 0) return {};
  for (std::size_t l = 0; l < known.size(); ++l)
    if (l != best && score[l] == score[best]) return {};  // no clear winner
  return std::string(known[best].code);
}

std::optional<int> survey_score(const message& m) {
  std::string_view said;
  if (const auto* i = std::get_if<interactive_content>(&m.content)) {
    said = i->reply_id;
    if (said.size() == 6 && said.substr(0, 5) == "csat_") said.remove_prefix(5);
  } else if (const auto* t = std::get_if<text_content>(&m.content)) {
    said = t->body;
    while (!said.empty() && said.front() == ' ') said.remove_prefix(1);
    while (!said.empty() && said.back() == ' ') said.remove_suffix(1);
  }
  if (said.size() == 1 && said[0] >= '1' && said[0] <= '5') return said[0] - '0';
  return std::nullopt;
}

}  // namespace chatdesk::detail::support
