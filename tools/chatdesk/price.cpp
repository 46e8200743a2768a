// chatdesk price: prices a JSON Lines file of message events with rate cards,
// under the model in force or a chosen one, compares models, explains charges.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "chatdesk/core/input.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/pricing/events.hpp"
#include "chatdesk/pricing/forecast.hpp"
#include "chatdesk/pricing/formats.hpp"
#include "chatdesk/pricing/ledger.hpp"
#include "chatdesk/pricing/rate_card.hpp"
#include "commands.hpp"
#include "progress.hpp"

namespace chatdesk::cli {

namespace {

using ojson = nlohmann::ordered_json;

/// The businesses file (chatdesk/pricing/formats.hpp), read with the document limit.
result<std::vector<pricing_business>> load_businesses(const std::string& path) {
  auto text = read_file(path, input_limits::document);
  if (!text) return text.error();
  auto parsed = parse_json(*text, "pricing.businesses", fmt::format("'{}'", path));
  if (!parsed) return parsed.error();
  auto businesses = pricing_businesses_from_json(*parsed);
  if (!businesses) {
    auto e = std::move(businesses).error();
    e.message = fmt::format("'{}': {}", path, e.message);
    return e;
  }
  return businesses;
}

}  // namespace

command add_price_command(CLI::App& app) {
  struct options {
    std::vector<std::string> rates;
    std::string businesses;
    std::string model = "auto";
    std::string events;
    bool compare = false;
    bool quiet = false;
    std::string explain;
    std::size_t remember_ids = 1'000'000;
    std::uint64_t remember_hours = 48;
    std::size_t max_problems = 1'000;
    std::string shard;
  };
  auto opts = std::make_shared<options>();
  auto* sub = app.add_subcommand("price", "Price a JSON Lines file of message events with rate cards");
  sub->add_option("--rates", opts->rates, "A rate card (JSON); repeat for several")->required();
  sub->add_option("--businesses", opts->businesses,
                  "Businesses: time zone, country, auth_international_from, paid_exempt, entry_point_hours");
  sub->add_option("--model", opts->model,
                  "auto (the model in force), legacy_2018, cbp_2022, cbp_2023, pmp_2025 or pmp_2026_10");
  sub->add_flag("--compare", opts->compare, "Price the same events under every model and print the totals");
  sub->add_flag("--quiet", opts->quiet, "No progress line on a terminal");
  sub->add_option("--explain", opts->explain, "Explain what the message with this id cost, and why");
  sub->add_option("--remember-ids", opts->remember_ids,
                  "At most about this many ids of priced messages are remembered, to recognise late statuses "
                  "(memory: about 55 bytes each)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{2}, std::size_t{1} << 32U));
  sub->add_option(
         "--remember-hours", opts->remember_hours,
         "Ids of priced messages are remembered at least this long (unless --remember-ids is reached)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{24} * 365 * 10));
  sub->add_option("--max-problems", opts->max_problems,
                  "List at most this many problems in full (the first ones); all are counted by code")
      ->capture_default_str();
  sub->add_option("--shard", opts->shard,
                  "K/N: price only the businesses of shard K of N (by a stable hash of their id); "
                  "'chatdesk invoice merge' adds the N invoices up to the invoice of one run");
  sub->add_option("EVENTS", opts->events,
                  "JSON Lines: inbound, outbound and status events in time order ('-': standard input)")
      ->required();

  return [opts](std::ostream& out, std::ostream& err) {
    pricing_shard shard;
    if (!opts->shard.empty()) {
      auto s = pricing_shard::parse(opts->shard);
      if (!s) {
        err << "chatdesk price: --shard: " << s.error().message << '\n';
        return exit_bad_input;
      }
      shard = *s;
    }
    rate_cards cards;
    for (const auto& path : opts->rates) {
      auto text = read_file(path, input_limits::document);
      if (!text) {
        err << "chatdesk price: " << text.error().message << '\n';
        return exit_bad_input;
      }
      auto card = parse_rate_card(*text, path);
      if (!card) {
        err << "chatdesk price: " << card.error().to_string() << '\n';
        return exit_bad_input;
      }
      if (auto ok = cards.add(std::move(*card)); !ok) {
        err << "chatdesk price: " << ok.error().to_string() << '\n';
        return exit_bad_input;
      }
    }
    std::vector<pricing_business> businesses;
    if (!opts->businesses.empty()) {
      auto b = load_businesses(opts->businesses);
      if (!b) {
        err << "chatdesk price: " << b.error().to_string() << '\n';
        return exit_bad_input;
      }
      businesses = std::move(*b);
    }
    std::optional<pricing_model> forced;
    if (opts->model != "auto") {
      auto m = parse_pricing_model(opts->model);
      if (!m) {
        err << "chatdesk price: --model: " << m.error().message << '\n';
        return exit_bad_input;
      }
      forced = *m;
    }
    std::ifstream file;
    std::istream* in = &std::cin;  // "-": standard input
    if (opts->events != "-") {
      auto opened = open_file(opts->events);
      if (!opened) {
        err << "chatdesk price: " << opened.error().message << '\n';
        return exit_bad_input;
      }
      file = std::move(*opened);
      in = &file;
    }

    ledger_options setup;
    setup.model = forced;
    setup.remember_ids_for = std::chrono::hours{opts->remember_hours};
    setup.remember_ids_at_most = opts->remember_ids;
    setup.problems_listed = opts->max_problems;
    if (!opts->explain.empty()) setup.explain.push_back(opts->explain);  // that message's charge only
    std::vector<std::unique_ptr<ledger>> ledgers;
    std::vector<pricing_model> models;
    std::vector<std::string> without_card;  // models the comparison leaves out
    if (opts->compare) {
      for (auto m : pricing_models) {
        const bool carded = std::any_of(cards.all().begin(), cards.all().end(),
                                        [m](const rate_card& c) { return c.model() == m; });
        if (carded) {
          models.push_back(m);
        } else {
          without_card.emplace_back(to_string(m));
        }
      }
      if (!without_card.empty())
        err << "chatdesk price: no rate card for " << fmt::format("{}", fmt::join(without_card, ", "))
            << ": left out of the comparison (add a card with --rates for each)\n";
      for (auto m : models) {
        auto each = setup;
        each.model = m;
        ledgers.push_back(std::make_unique<ledger>(cards, std::move(each)));
      }
    } else {
      ledgers.push_back(std::make_unique<ledger>(cards, setup));
    }
    std::vector<ledger*> raw;
    for (auto& l : ledgers) {
      for (const auto& b : businesses) l->add_business(b);
      raw.push_back(l.get());
    }
    price_options reading;
    reading.latest = system_clock{}.now() + std::chrono::minutes(5);  // a clock a little ahead is fine
    reading.shard = shard;
    progress_meter meter(err, opts->quiet);
    reading.progress = [&meter](const pricing_run& so_far) { meter.update(so_far.lines); };
    const auto run = price_events(*in, raw, reading);
    meter.finish();
    if (run.failure) {  // a partial invoice would look complete: print none
      err << "chatdesk price: " << run.failure->message << "; no invoice is printed\n";
      return exit_bad_input;
    }

    if (!opts->explain.empty()) {
      auto c = ledgers.front()->explain(opts->explain);
      if (!c) {
        err << "chatdesk price: message '" << opts->explain << "' was not delivered (or not found) in '"
            << opts->events << "'\n";
        return exit_bad_input;
      }
      out << to_output(to_json(*c)) << '\n';
      return exit_ok;
    }
    if (opts->compare) {
      ojson j;
      j["currency"] = std::string(cards.currency().code());
      j["events"] = run.events;
      ojson totals = ojson::array();
      for (std::size_t i = 0; i < models.size(); ++i) {
        const auto inv = ledgers[i]->invoice();
        ojson o;
        o["model"] = std::string(to_string(models[i]));
        o["total"] = inv.total.to_string(inv.currency.minor_digits());
        o["total_settled"] = inv.total_settled.amount_string();
        std::uint64_t charged = 0;
        std::uint64_t free = 0;
        for (const auto& l : inv.lines) charged += l.count;
        for (const auto& f : inv.free) free += f.count;
        o["charged"] = charged;
        o["free"] = free;
        o["problems"] = inv.problems_total;
        totals.push_back(o);
      }
      j["compare"] = totals;
      if (!without_card.empty()) j["no_card"] = without_card;
      out << to_output(j, 2) << '\n';
      if (run.problems > 0) err << "chatdesk price: " << run.problems << " line(s) skipped\n";
      return exit_ok;
    }
    const auto inv = ledgers.front()->invoice();
    out << to_output(to_json(inv), 2) << '\n';
    if (run.problems > 0) {
      err << "chatdesk price: " << run.problems << " line(s) skipped, ";
      if (inv.problems.size() < inv.problems_total)
        err << "the first " << inv.problems.size()
            << " listed under \"problems\", all counted under \"problem_counts\"\n";
      else
        err << "listed under \"problems\"\n";
    }
    return exit_ok;
  };
}

command add_invoice_command(CLI::App& app) {
  struct options {
    std::vector<std::string> invoices;
    std::size_t max_problems = 1'000;
  };
  auto opts = std::make_shared<options>();
  auto* sub = app.add_subcommand("invoice", "Work with invoices that 'chatdesk price' printed");
  sub->require_subcommand(1);
  auto* merge = sub->add_subcommand(
      "merge", "Add invoices up exactly (the shards of one run, or periods priced apart) and print the sum");
  merge
      ->add_option("--max-problems", opts->max_problems,
                   "List at most this many problems in full (the first ones by line); all are counted")
      ->capture_default_str();
  merge->add_option("INVOICES", opts->invoices, "Invoices as 'chatdesk price' prints them (JSON)")
      ->required();
  return [opts](std::ostream& out, std::ostream& err) {
    std::vector<invoice> parts;
    for (const auto& path : opts->invoices) {
      auto text = read_file(path, input_limits::document);
      if (!text) {
        err << "chatdesk invoice merge: " << text.error().message << '\n';
        return exit_bad_input;
      }
      auto parsed = parse_json(*text, "pricing.invalid_invoice", fmt::format("'{}'", path));
      if (!parsed) {
        err << "chatdesk invoice merge: " << parsed.error().to_string() << '\n';
        return exit_bad_input;
      }
      auto inv = invoice_from_json(*parsed);
      if (!inv) {
        err << "chatdesk invoice merge: '" << path << "': " << inv.error().to_string() << '\n';
        return exit_bad_input;
      }
      parts.push_back(std::move(*inv));
    }
    auto merged = merge_invoices(parts, opts->max_problems);
    if (!merged) {
      err << "chatdesk invoice merge: " << merged.error().to_string() << '\n';
      return exit_bad_input;
    }
    out << to_output(to_json(*merged), 2) << '\n';
    return exit_ok;
  };
}

command add_forecast_command(CLI::App& app) {
  struct options {
    std::vector<std::string> rates;
    std::string plan;
  };
  auto opts = std::make_shared<options>();
  auto* sub = app.add_subcommand("forecast", "What a planned campaign will cost (docs/pricing.md)");
  sub->add_option("--rates", opts->rates, "A rate card (JSON); repeat for several")->required();
  sub->add_option("PLAN", opts->plan, "The plan: model, date, sends per market and category")->required();
  return [opts](std::ostream& out, std::ostream& err) {
    rate_cards cards;
    for (const auto& path : opts->rates) {
      auto text = read_file(path, input_limits::document);
      if (!text) {
        err << "chatdesk forecast: " << text.error().message << '\n';
        return exit_bad_input;
      }
      auto card = parse_rate_card(*text, path);
      if (!card || !cards.add(std::move(*card))) {
        err << "chatdesk forecast: "
            << (card ? std::string("the cards cannot be mixed") : card.error().to_string()) << '\n';
        return exit_bad_input;
      }
    }
    auto text = read_file(opts->plan, input_limits::document);
    if (!text) {
      err << "chatdesk forecast: " << text.error().message << '\n';
      return exit_bad_input;
    }
    auto j = parse_json(*text, "pricing.invalid_plan", fmt::format("'{}'", opts->plan));
    if (!j) {
      err << "chatdesk forecast: " << j.error().to_string() << '\n';
      return exit_bad_input;
    }
    auto plan = forecast_plan_from_json(*j);
    if (!plan) {
      err << "chatdesk forecast: " << plan.error().to_string() << '\n';
      return exit_bad_input;
    }
    auto f = estimate(cards, *plan);
    if (!f) {
      err << "chatdesk forecast: " << f.error().to_string() << '\n';
      return exit_bad_input;
    }
    ojson o;
    o["model"] = std::string(to_string(plan->model));
    o["currency"] = std::string(f->currency.code());
    o["total"] = f->total.to_string(f->currency.minor_digits());
    o["total_settled"] = settle(f->total, f->currency).amount_string();
    o["free"] = f->free;
    ojson lines = ojson::array();
    for (const auto& l : f->lines) {
      ojson x;
      x["market"] = l.market;
      x["category"] = l.category;
      x["tier"] = l.tier;
      x["count"] = l.count;
      x["unit_price"] = l.unit_price.to_string(4);
      x["amount"] = l.amount.to_string(f->currency.minor_digits());
      lines.push_back(x);
    }
    o["lines"] = lines;
    out << to_output(o, 2) << '\n';
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
