// chatdesk payments: orders to pay in the chat (chatdesk/payments/*.hpp,
// docs/payments.md).
//   check ORDER.json [--at TIME]          validate an order, print its sums and parameters
//   create --store F --business B --customer N ORDER.json [--pilot-cap K]
//   apply --store F --business B BODY.json  apply a webhook's payment statuses
//   update --store F --business B --reference R --status S [--description D]
//   report --store F --business B --from DAY [--to DAY] [--zone Z] [--format json|csv]
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/input.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/payments/order_book.hpp"
#include "chatdesk/payments/report.hpp"
#include "chatdesk/wire/webhook.hpp"
#include "commands.hpp"

namespace chatdesk::cli {

namespace {

// Orders are small: a document of at most 1 MiB.
constexpr std::size_t max_order_bytes = std::size_t{1} << 20;

nlohmann::ordered_json money_json(money m) {
  return {{"currency", m.currency().code()}, {"amount", m.amount_string()}};
}

nlohmann::ordered_json order_json(const order_record& o) {
  nlohmann::ordered_json j;
  j["reference_id"] = o.reference_id;
  j["customer"] = o.customer.empty() ? std::string() : o.customer.e164();
  j["status"] = to_string(o.status);
  j["payment"] = to_string(o.payment);
  j["total"] = money_json(o.total);
  if (o.captured) j["captured"] = money_json(*o.captured);
  if (!o.transaction_id.empty()) j["transaction_id"] = o.transaction_id;
  if (!o.flags.empty()) j["flags"] = o.flags;
  return j;
}

}  // namespace

command add_payments_command(CLI::App& app) {
  struct options {
    store_choice store;
    std::string business;
    std::string customer;
    std::string file;
    std::string at;
    std::uint64_t pilot_cap = 0;
    std::string reference;
    std::string status;
    std::string description;
    std::string body;
    report_choice period;
    std::string action;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("payments", "Orders paid in the chat: check, create, apply, update, report");
  sub->require_subcommand(1);

  auto* check = sub->add_subcommand("check", "Validate an order (the platform's order_details JSON)");
  check->add_option("order", o->file, "The order: its parameters, or a whole order_details object")
      ->required();
  check->add_option("--at", o->at, "The time of sending, ISO 8601 (default: now)");
  check->callback([o] { o->action = "check"; });

  auto* create =
      sub->add_subcommand("create", "Record an order for a customer and print the message to send");
  add_store_options(*create, o->store, "the desk");
  create->add_option("--business", o->business, "The business (registered in the store)")->required();
  create->add_option("--customer", o->customer, "The customer's number")->required();
  create->add_option("--pilot-cap", o->pilot_cap, "Distinct paying customers allowed (0: no cap)");
  create->add_option("order", o->file, "The order JSON")->required();
  create->add_option("--body", o->body, "The message's text, when the order JSON has none");
  create->add_option("--at", o->at, "The time now, ISO 8601 (default: the system's clock)");
  create->callback([o] { o->action = "create"; });

  auto* apply = sub->add_subcommand("apply", "Apply the payment statuses of a webhook body");
  add_store_options(*apply, o->store, "the desk");
  apply->add_option("--business", o->business, "The business")->required();
  apply->add_option("body", o->file, "The webhook body (JSON)")->required();
  apply->add_option("--at", o->at, "The time now, ISO 8601 (default: the system's clock)");
  apply->callback([o] { o->action = "apply"; });

  auto* update = sub->add_subcommand("update", "Move an order to a status and print the message to send");
  add_store_options(*update, o->store, "the desk");
  update->add_option("--business", o->business, "The business")->required();
  update->add_option("--reference", o->reference, "The order's reference id")->required();
  update->add_option("--status", o->status, "processing, partially-shipped, shipped, completed, canceled")
      ->required();
  update->add_option("--description", o->description, "Why, shown to the customer");
  update->add_option("--body", o->body, "The message's text")->default_val("Your order was updated");
  update->add_option("--at", o->at, "The time now, ISO 8601 (default: the system's clock)");
  update->callback([o] { o->action = "update"; });

  auto* report =
      sub->add_subcommand("report", "Reconcile a period: orders by status, captured totals, failures");
  add_store_options(*report, o->store, "the desk");
  report->add_option("--business", o->business, "The business")->required();
  add_report_options(*report, o->period, true);
  report->callback([o] { o->action = "report"; });

  return [o](std::ostream& out, std::ostream& err) -> int {
    const std::string name = "payments " + o->action;
    manual_clock clock(system_clock{}.now());
    if (!o->at.empty()) {
      auto parsed = parse_timestamp(o->at);
      if (!parsed) return report_error(err, name, parsed.error());
      clock.set(*parsed);
    }
    if (o->action == "check") {
      auto text = read_file(o->file, max_order_bytes);
      if (!text) return report_error(err, name, text.error());
      auto order = parse_order_details(*text);
      if (!order) return report_error(err, name, order.error());
      if (order->body.empty()) order->body = "-";  // the parameters alone carry no text
      if (auto valid = validate(*order, clock.now()); !valid) return report_error(err, name, valid.error());
      nlohmann::ordered_json j;
      j["reference_id"] = order->reference_id;
      j["items"] = order->items.size();
      j["subtotal"] = money_json(order->subtotal);
      j["total"] = money_json(order->total);
      j["parameters"] = nlohmann::ordered_json::parse(to_parameters_json(*order));
      out << to_output(j, 2) << '\n';
      return exit_ok;
    }
    auto st = open_store(o->store);
    if (!st) return report_error(err, name, st.error());
    payments_options po;
    po.pilot_cap = o->pilot_cap;
    order_book book(clock, **st, po);
    if (o->action == "create") {
      std::optional<business> found;
      for (auto& b : (*st)->load_businesses())
        if (b.id == o->business) found = std::move(b);
      if (!found)
        return report_error(err, name,
                            make_error("cli.usage", "the store has no business '" + o->business + "'"));
      auto customer = phone_number::parse(o->customer);
      if (!customer) return report_error(err, name, customer.error());
      auto text = read_file(o->file, max_order_bytes);
      if (!text) return report_error(err, name, text.error());
      auto order = parse_order_details(*text);
      if (!order) return report_error(err, name, order.error());
      if (order->body.empty()) order->body = o->body;
      auto message = book.create(*found, *customer, *order);
      if (!message) return report_error(err, name, message.error());
      nlohmann::ordered_json j;
      j["type"] = "order_details";
      j["body"] = message->body;
      j["parameters"] = nlohmann::ordered_json::parse(message->payload_json);
      out << to_output(j) << '\n';
      return exit_ok;
    }
    if (o->action == "apply") {
      auto body = read_file(o->file, input_limits::webhook_body);
      if (!body) return report_error(err, name, body.error());
      auto batch = decode_webhook(*body);
      if (!batch) return report_error(err, name, batch.error());
      int status = exit_ok;
      for (const auto& e : batch->events) {
        const auto* s = std::get_if<webhook_status>(&e);
        if (s == nullptr || s->type != "payment") continue;
        auto r = book.apply(o->business, *s);
        nlohmann::ordered_json j;
        j["reference_id"] = s->payment ? s->payment->reference_id : std::string();
        j["status"] = s->status_text;
        if (r) {
          j["change"] = to_string(r->change);
          if (!r->reason.empty()) j["reason"] = r->reason;
          j["order"] = order_json(r->order);
        } else {
          j["error"] = r.error().code;
          j["reason"] = r.error().message;
          if (r.error().code.rfind("store.", 0) == 0)
            status = exit_failure;
          else if (status == exit_ok)
            status = exit_bad_input;
        }
        out << to_output(j) << '\n';
      }
      return status;
    }
    if (o->action == "update") {
      auto s = parse_order_status(o->status);
      if (!s) return report_error(err, name, s.error());
      order_update u;
      u.reference_id = o->reference;
      u.status = *s;
      u.description = o->description;
      u.body = o->body;
      auto message = book.update(o->business, u);
      if (!message) return report_error(err, name, message.error());
      nlohmann::ordered_json j;
      j["type"] = "order_status";
      j["body"] = message->body;
      j["parameters"] = nlohmann::ordered_json::parse(message->payload_json);
      out << to_output(j) << '\n';
      return exit_ok;
    }
    // report
    auto zone = time_zone::locate(o->period.zone);
    if (!zone) return report_error(err, name, zone.error());
    const auto days = report_days(o->period, "payments.invalid_period");
    if (!days) return report_error(err, name, days.error());
    auto r = make_payments_report(book, o->business, days->first, days->last, *zone);
    if (!r) return report_error(err, name, r.error());
    out << (o->period.format == "csv" ? to_csv(*r) : to_json(*r));
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
