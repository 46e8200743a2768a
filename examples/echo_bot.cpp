// A shop's bot written with handlers: greet, show a menu, answer its buttons,
// thank for photos, echo everything else, and fall back to a template when
// the service window has closed. The transport prints the requests it would
// post to the platform; main() plays the platform, delivering webhooks (one
// of them twice) and moving the clock.
#include <chrono>
#include <iostream>
#include <string>

#include "chatdesk/chatdesk.hpp"

using namespace chatdesk;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view number_id = "106540352242922";

// --- the transport: prints what an HTTP client would POST -----------------
class printing_transport final : public transport {
 public:
  transport_answer deliver(const outbound_message& m) override {
    auto body = encode_send_request(m.message);
    if (!body) return transport_answer::failed({131009, "invalid parameter", body.error().message, {}});
    std::cout << "  POST /" << m.number.id << "/messages " << *body << '\n';
    return transport_answer::accepted("wamid.out" + std::to_string(++sent_));
  }
  result<void> mark_read(const read_receipt& r) override {
    auto body = encode_read_receipt(r.message_id, r.typing);
    if (!body) return body.error();
    std::cout << "  POST /" << r.number.id << "/messages " << *body << '\n';
    return {};
  }

 private:
  int sent_ = 0;
};

// --- the bot: everything an application writes ------------------------------
void add_handlers(dispatcher& bot, template_library& templates) {
  bot.on_message(filters::text_is("hi", match_case::ignore) || filters::text_is("hello", match_case::ignore),
                 [](message_context& m) {
                   (void)m.mark_read(true);  // seen, and typing
                   (void)m.reply("Hello " + m.profile_name() + "! Write MENU to see what I can do.");
                 });
  bot.on_message(filters::text_is("menu", match_case::ignore), [](message_context& m) {
    interactive_content menu;
    menu.kind = interactive_kind::button;
    menu.body = "How can we help?";
    menu.options = {{"order_status", "Where is my order?", {}}, {"agent", "Talk to a person", {}}};
    (void)m.reply(std::move(menu));
  });
  bot.on_message(filters::reply_id("order_status"),
                 [](message_context& m) { (void)m.reply("Order A-1042 left our shop this morning."); });
  bot.on_message(filters::media(media_kind::image), [](message_context& m) {
    (void)m.react("\xF0\x9F\x91\x8D");  // thumbs up
    m.continue_handling();              // and let the next handler answer too
  });
  bot.on_message(filters::media(media_kind::image),
                 [](message_context& m) { (void)m.reply("Thanks for the photo!", true); });
  // Everything else: echo it, or after the window closed, the template.
  bot.on_message(filters::text(), [](message_context& m) {
    auto sent = m.reply("You said: " + std::string(m.text()), true);
    if (sent && !sent->decision.allowed) {
      std::cout << "  refused: " << sent->decision.refusal->message << '\n';
      template_content follow_up("we_are_here", "en_US", template_category::utility,
                                 {{"1", m.profile_name()}});
      sent = m.reply_template(std::move(follow_up));
    }
    if (!sent)
      std::cout << "  error: " << sent.error().to_string() << '\n';
    else if (!sent->decision.allowed)
      std::cout << "  refused: " << sent->decision.refusal->message << '\n';
  });
  bot.on_status(filters::status_is(message_status::read),
                [](status_context& s) { std::cout << "  read: " << s.message_id() << '\n'; });
  bot.on_template_update([&templates](const webhook_template_update& t) {
    if (auto applied = apply_template_update(templates, "shop", t); !applied)
      std::cout << "  template update not applied: " << applied.error().to_string() << '\n';
    else
      std::cout << "  template " << t.name << " (" << t.language << ") is now " << t.event << '\n';
  });
  bot.on_error([](const dispatch_error& e) { std::cout << "  problem: " << e.error.to_string() << '\n'; });
}
// ---------------------------------------------------------------------------

std::string seconds(const chatdesk::clock& c) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(c.now().time_since_epoch()).count());
}

/// A webhook body with one customer message of `type` whose object is `object`.
std::string message_body(const chatdesk::clock& c, const std::string& id, const std::string& type,
                         const std::string& object) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages",)"
         R"("value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"16505550100",)"
         R"("phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Maria"},"wa_id":"393471234567"}],)"
         R"("messages":[{"from":"393471234567","id":")" +
         id + R"(","timestamp":")" + seconds(c) + R"(","type":")" + type + R"(",")" + type + R"(":)" +
         object + "}]}}]}]}";
}

std::string status_body(const chatdesk::clock& c, const std::string& id, const std::string& status) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages",)"
         R"("value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"16505550100",)"
         R"("phone_number_id":"106540352242922"},"statuses":[{"id":")" +
         id + R"(","status":")" + status + R"(","timestamp":")" + seconds(c) +
         R"(","recipient_id":"393471234567"}]}}]}]})";
}

std::string template_update_body(const chatdesk::clock& c) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":)" + seconds(c) +
         R"(,"changes":[{"field":"message_template_status_update","value":{"event":"APPROVED",)"
         R"("message_template_id":594425479261596,"message_template_name":"we_are_here",)"
         R"("message_template_language":"en_US","reason":"NONE"}}]}]})";
}

}  // namespace

int main() {
  manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
  memory_store store;
  printing_transport wire;
  desk d(clock, store, &wire);
  business shop;
  shop.id = "shop";
  shop.numbers.push_back({std::string(number_id), phone_number::parse("+16505550100").value(), 80});
  d.add_business(shop).value();
  template_library templates(clock);
  templates
      .add("shop",
           parse_template(R"({"name":"we_are_here","language":"en_US","category":"UTILITY","components":[)"
                          R"({"type":"BODY","text":"Hi {{1}}, we are here when you want to continue."}]})")
               .value())
      .value();
  d.set_template_directory(&templates);

  webhook_feed feed(d);
  dispatcher bot(feed, d);
  add_handlers(bot, templates);

  webhook_decoder decoder;
  auto deliver = [&](const char* what, const std::string& body) {
    std::cout << what << '\n';
    auto batch = decoder.decode(body);
    if (!batch) {
      std::cout << "  bad body: " << batch.error().to_string() << '\n';
      return;
    }
    const auto r = bot.dispatch(*batch);
    std::cout << "  (" << r.handled << " handled, " << r.feed.duplicates << " duplicates)\n";
  };

  const auto hello = message_body(clock, "wamid.in1", "text", R"({"body":"Hi"})");
  deliver("Maria writes 'Hi':", hello);
  deliver("the platform delivers it again:", hello);
  clock.advance(1min);
  deliver("Maria asks for the menu:", message_body(clock, "wamid.in2", "text", R"({"body":"menu"})"));
  deliver("the menu was read:", status_body(clock, "wamid.out2", "read"));
  clock.advance(1min);
  deliver(
      "Maria taps 'Where is my order?':",
      message_body(
          clock, "wamid.in3", "interactive",
          R"({"type":"button_reply","button_reply":{"id":"order_status","title":"Where is my order?"}})"));
  clock.advance(1min);
  deliver("Maria sends a photo:",
          message_body(clock, "wamid.in4", "image", R"({"id":"1479537139650973","mime_type":"image/jpeg"})"));
  deliver("the template was approved:", template_update_body(clock));
  clock.advance(25h);
  deliver("Maria writes the next day:",
          message_body(clock, "wamid.in5", "text", R"({"body":"Is it still there?"})"));
  clock.advance(1min);
  const auto stale = message_body(clock, "wamid.in6", "text", R"({"body":"and now?"})");
  clock.advance(25h);
  // An old message the desk still accepts (a retry within 7 days); the window
  // it opened closed a day ago, so the echo is refused and the template goes.
  deliver("a day-old retry arrives:", stale);
}
