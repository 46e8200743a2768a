// chatdesk phone NUMBER [--region CC] [--on DATE]: parse a number, print its
// E.164 form, country, market (in force on DATE, today by default) and
// click-to-chat form as one JSON object.
#include <memory>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/market.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "commands.hpp"

namespace chatdesk::cli {

command add_phone_command(CLI::App& app) {
  struct options {
    std::string number;
    std::string region;
    std::string on;
  };
  auto opts = std::make_shared<options>();
  auto* sub =
      app.add_subcommand("phone", "Parse a phone number and print its E.164 form, country and market");
  sub->add_option("NUMBER", opts->number, "The number as typed: '+39 333 123 4567', '(415) 555-1234', ...")
      ->required();
  sub->add_option("--region", opts->region, "Country (ISO 3166-1 alpha-2) for numbers without '+', e.g. US");
  sub->add_option("--on", opts->on, "The market in force on this date (YYYY-MM-DD, UTC); default today");
  return [opts](std::ostream& out, std::ostream& err) {
    auto parsed = phone_number::parse(opts->number, opts->region);
    if (!parsed) {
      err << "chatdesk phone: " << parsed.error().to_string() << '\n';
      return exit_bad_input;
    }
    const auto& p = *parsed;
    auto when =
        opts->on.empty() ? result<timestamp>(system_clock{}.now()) : parse_timestamp(opts->on + "T00:00:00Z");
    if (!when) {
      err << "chatdesk phone: --on: " << when.error().to_string() << '\n';
      return exit_bad_input;
    }
    const auto day = time_zone::utc().local_date(*when);
    nlohmann::ordered_json j;
    j["input"] = opts->number;
    j["e164"] = p.e164();
    j["calling_code"] = std::string(p.calling_code());
    j["country"] = p.country().empty() ? nlohmann::ordered_json(nullptr)
                                       : nlohmann::ordered_json(std::string(p.country().alpha2()));
    j["market"] = std::string(market_table::platform(day).find(p));
    j["click_to_chat"] = std::string(p.click_to_chat());
    out << to_output(j) << '\n';
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
