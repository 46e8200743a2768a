#include <array>
#include <optional>
#include <string>

#include "chatdesk/model/business.hpp"
#include "chatdesk/model/customer.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/model/template_status.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;
using namespace std::chrono_literals;

namespace {
media_content media(media_kind kind, std::string link, std::string id) {
  media_content m;
  m.kind = kind;
  m.link = std::move(link);
  m.media_id = std::move(id);
  return m;
}
}  // namespace

TEST_CASE("content alternatives name their platform type", "[model][message]") {
  CHECK(type_name(text_content{"hi"}) == "text");
  CHECK(type_name(template_content{"order_update", "it", template_category::utility, {}}) == "template");
  CHECK(type_name(media(media_kind::document, "https://x.invalid/r.pdf", "")) == "document");
  CHECK(type_name(media(media_kind::sticker, "", "123")) == "sticker");
  CHECK(type_name(location_content{"45.4642", "9.1900", "Duomo", "Milano"}) == "location");
  CHECK(type_name(contacts_content{}) == "contacts");
  CHECK(type_name(interactive_content{}) == "interactive");
  CHECK(type_name(reaction_content{"wamid.1", "👍"}) == "reaction");
  CHECK(type_name(unsupported_content{"poll", "{}"}) == "poll");
  CHECK(is_template(template_content{}));
  CHECK_FALSE(is_template(text_content{}));
  CHECK(to_string(interactive_kind::cta_url) == "cta_url");
  CHECK(to_string(media_kind::audio) == "audio");
}

TEST_CASE("names parse both ways and refuse unknown values", "[model]") {
  for (auto c : {template_category::marketing, template_category::utility, template_category::authentication})
    CHECK(parse_template_category(to_string(c)).value() == c);
  CHECK(parse_template_category("MARKETING").value() == template_category::marketing);
  CHECK(parse_template_category("service").error().code == "message.unknown_category");
  for (auto s : {message_status::accepted, message_status::sent, message_status::delivered,
                 message_status::read, message_status::failed})
    CHECK(parse_message_status(to_string(s)).value() == s);
  CHECK(parse_message_status("played").error().code == "message.unknown_status");
  for (auto s : {template_status::approved, template_status::pending, template_status::rejected,
                 template_status::paused, template_status::disabled})
    CHECK(parse_template_status(to_string(s)).value() == s);
  CHECK(parse_template_status("FLAGGED").error().code == "template.unknown_status");
  CHECK(parse_quality_rating("HIGH").value() == quality_rating::green);
  CHECK(parse_quality_rating("red").value() == quality_rating::red);
  CHECK(parse_quality_rating("purple").error().code == "business.unknown_quality");
  CHECK(to_string(messaging_tier::tier_100k) == "TIER_100K");
  CHECK(parse_messaging_tier("unlimited").value() == messaging_tier::unlimited);
  CHECK(parse_messaging_tier("2k").value() == messaging_tier::tier_2k);
  CHECK(parse_messaging_tier("ten").error().code == "business.unknown_tier");
  for (auto q : {quality_rating::green, quality_rating::yellow, quality_rating::red, quality_rating::unknown})
    CHECK(parse_quality_rating(to_string(q)).value() == q);
  const std::array tiers{messaging_tier::tier_250, messaging_tier::tier_1k,   messaging_tier::tier_2k,
                         messaging_tier::tier_10k, messaging_tier::tier_100k, messaging_tier::unlimited};
  const std::array<std::optional<std::uint32_t>, 6> limits{250, 1'000, 2'000, 10'000, 100'000, std::nullopt};
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    CHECK(parse_messaging_tier(to_string(tiers[i])).value() == tiers[i]);
    CHECK(limit_of(tiers[i]) == limits[i]);
    if (limits[i]) CHECK(parse_messaging_tier(std::to_string(*limits[i])).value() == tiers[i]);
  }
  for (auto k :
       {media_kind::image, media_kind::video, media_kind::audio, media_kind::document, media_kind::sticker})
    CHECK(parse_media_kind(to_string(k)).value() == k);
  CHECK(parse_media_kind("IMAGE").error().code == "message.unknown_media");
  CHECK(parse_media_kind("gif").error().message.find("image, video, audio, document, sticker") !=
        std::string::npos);
}

TEST_CASE("a MIME type picks the media kind", "[model][message]") {
  CHECK(media_kind_of_mime("image/jpeg") == media_kind::image);
  CHECK(media_kind_of_mime("Image/PNG") == media_kind::image);
  CHECK(media_kind_of_mime("image/webp") == media_kind::sticker);
  CHECK(media_kind_of_mime("video/mp4") == media_kind::video);
  CHECK(media_kind_of_mime("audio/ogg; codecs=opus") == media_kind::audio);
  CHECK(media_kind_of_mime("application/pdf") == media_kind::document);
  CHECK(media_kind_of_mime("") == media_kind::document);
  CHECK(media_kind_of_mime("imag") == media_kind::document);
}

TEST_CASE("consent: the latest of opt-in and opt-out wins", "[model][consent]") {
  const auto t0 = parse_timestamp("2026-01-01T00:00:00Z").value();
  consent c;
  CHECK_FALSE(c.opted_in());
  CHECK_FALSE(c.opted_out());
  c.opted_in_at = t0;
  CHECK(c.opted_in());
  c.opted_out_at = t0 + 1h;
  CHECK(c.opted_out());
  CHECK_FALSE(c.opted_in());
  c.opted_in_at = t0 + 2h;
  CHECK(c.opted_in());
  CHECK_FALSE(c.opted_out());
  c.opted_out_at = t0 + 2h;  // the same instant: opting out wins
  CHECK(c.opted_out());
}

TEST_CASE("a business definition is validated", "[model][business]") {
  business b;
  CHECK(b.validate().error().where == "id");
  b.id = "shop";
  CHECK(b.validate().error().where == "numbers");
  b.numbers.push_back({"n1", phone_number::parse("+390551234567").value(), 80});
  CHECK(b.validate().has_value());
  b.numbers.push_back({"n1", phone_number::parse("+390551234568").value(), 80});
  CHECK(b.validate().error().message == "number id 'n1' appears twice");
  b.numbers[1].id = "n2";
  b.numbers[1].throughput_per_second = 1001;
  CHECK(b.validate().error().where == "numbers[1].throughput_per_second");
  b.numbers[1].throughput_per_second = 1000;
  CHECK(b.validate().has_value());
  CHECK(b.find_number("n2") == &b.numbers[1]);
  CHECK(b.find_number("n3") == nullptr);
}
