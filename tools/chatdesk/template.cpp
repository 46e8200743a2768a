// chatdesk template validate|render|catalog: thin shells over the templates module.
#include <algorithm>
#include <memory>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "chatdesk/core/input.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/templates/binding.hpp"
#include "chatdesk/templates/catalog.hpp"
#include "chatdesk/templates/definition.hpp"
#include "chatdesk/wire/send.hpp"
#include "commands.hpp"

namespace chatdesk::cli {

namespace {

/// The templates' names, each once, in order of appearance.
std::vector<std::string> names_of(std::span<const template_definition> defs) {
  std::vector<std::string> names;
  for (const auto& d : defs)
    if (std::find(names.begin(), names.end(), d.name) == names.end()) names.push_back(d.name);
  return names;
}

using ojson = nlohmann::ordered_json;

/// The definitions in a file: one object, a list, or the management API's {"data": [...]}.
result<std::vector<template_definition>> load_definitions(const std::string& path) {
  auto text = read_file(path, input_limits::document);
  if (!text) return text.error();
  auto parsed = parse_json(*text, "template.json", fmt::format("'{}'", path));
  if (!parsed) return parsed.error();
  const ojson& j = *parsed;
  std::vector<ojson> items;
  if (j.is_object() && j.contains("data") && j["data"].is_array()) {
    for (const auto& d : j["data"]) items.push_back(d);
  } else if (j.is_array()) {
    for (const auto& d : j) items.push_back(d);
  } else {
    items.push_back(j);
  }
  std::vector<template_definition> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto d = template_from_json(items[i]);
    if (!d) {
      auto e = d.error();
      if (items.size() > 1) e.where = fmt::format("[{}]{}", i, e.where.substr(e.where.empty() ? 0 : 1));
      return e;
    }
    out.push_back(std::move(*d));
  }
  return out;
}

/// Parses one --param value: text, or currency:CODE:AMOUNT, date_time:ISO[@ZONE],
/// image:URL, video:URL, document:URL[|FILENAME], text:ANYTHING.
result<template_value> parse_value(const std::string& v, const std::string& default_zone) {
  auto after = [&](std::string_view prefix) { return v.substr(prefix.size()); };
  if (v.rfind("text:", 0) == 0) return template_value(after("text:"));
  if (v.rfind("currency:", 0) == 0) {
    const auto rest = after("currency:");
    const auto colon = rest.find(':');
    if (colon == std::string::npos)
      return make_error("cli.param",
                        fmt::format("'{}' should be currency:CODE:AMOUNT, e.g. currency:EUR:99.90", v));
    auto amount = decimal::parse(rest.substr(colon + 1));
    if (!amount) return make_error("cli.param", fmt::format("'{}': {}", v, amount.error().message));
    return template_value(currency_parameter{rest.substr(0, colon), *amount, ""});
  }
  if (v.rfind("date_time:", 0) == 0) {
    const auto rest = after("date_time:");
    const auto at = rest.find('@');
    auto t = parse_timestamp(rest.substr(0, at));
    if (!t) return make_error("cli.param", fmt::format("'{}': {}", v, t.error().message));
    return template_value(
        date_time_parameter{*t, at == std::string::npos ? default_zone : rest.substr(at + 1), ""});
  }
  for (auto kind : {media_kind::image, media_kind::video, media_kind::document}) {
    const auto prefix = std::string(to_string(kind)) + ":";
    if (v.rfind(prefix, 0) == 0) {
      auto rest = v.substr(prefix.size());
      std::string filename;
      if (const auto bar = rest.find('|'); bar != std::string::npos) {
        filename = rest.substr(bar + 1);
        rest.resize(bar);
      }
      return template_value(media_parameter{kind, rest, "", filename});
    }
  }
  return template_value(v);
}

}  // namespace

command add_template_command(CLI::App& app) {
  auto* tmpl = app.add_subcommand("template", "Validate, render and list message templates");
  tmpl->require_subcommand(1);

  struct options {
    std::string file;
    std::string lang;
    std::string name;
    std::vector<std::string> params;
    std::string tz;
    std::string to = "+12025550100";
  };
  auto opts = std::make_shared<options>();

  auto* validate_cmd = tmpl->add_subcommand("validate", "Check definitions against every platform rule");
  validate_cmd->add_option("FILE", opts->file, "Template JSON: one definition, a list, or {\"data\": [...]}")
      ->required();

  auto* render_cmd = tmpl->add_subcommand("render", "Bind values and print the text and the send request");
  render_cmd->add_option("FILE", opts->file, "Template JSON")->required();
  render_cmd->add_option("--lang", opts->lang, "Language of the definition to use (default: the first)");
  render_cmd->add_option("--name", opts->name, "Name of the definition, when the file has several");
  render_cmd->add_option(
      "--param", opts->params,
      "NAME=VALUE; NAME is a body variable (1, order_id), header, or button.N; VALUE is text, "
      "currency:EUR:99.90, date_time:2026-03-02T08:30:00Z@Europe/Rome, document:URL|name.pdf, "
      "image:URL, video:URL or text:...");
  render_cmd->add_option("--tz", opts->tz, "Time zone for date_time values without @ZONE (default UTC)");
  render_cmd->add_option("--to", opts->to, "Recipient for the send request (E.164)");

  auto* catalog_cmd = tmpl->add_subcommand("catalog", "Print the ready-made definitions as template JSON");
  catalog_cmd->add_option("--name", opts->name, "Only this template");
  catalog_cmd->add_option("--lang", opts->lang, "Only this language");

  return [opts, validate_cmd, render_cmd, catalog_cmd](std::ostream& out, std::ostream& err) {
    if (catalog_cmd->parsed()) {
      ojson list = ojson::array();
      for (const auto& d : catalog::all()) {
        if ((!opts->name.empty() && d.name != opts->name) ||
            (!opts->lang.empty() && d.language != opts->lang))
          continue;
        list.push_back(to_json(d));
      }
      if (list.empty()) {
        err << "chatdesk template catalog: no template matches; the catalog has "
            << fmt::format("{}", fmt::join(names_of(catalog::all()), ", ")) << '\n';
        return exit_bad_input;
      }
      out << to_output(list.size() == 1 ? list[0] : ojson(list), 2) << '\n';
      return exit_ok;
    }

    auto defs = load_definitions(opts->file);
    if (!defs) {
      err << "chatdesk template: " << defs.error().to_string() << '\n';
      return exit_bad_input;
    }

    if (validate_cmd->parsed()) {
      std::size_t problems = 0;
      for (const auto& d : *defs) {
        for (const auto& p : validate(d)) {
          ++problems;
          ojson j;
          j["template"] = d.name;
          j["language"] = d.language;
          j["code"] = p.error.code;
          j["component"] = p.component;
          if (p.limit) j["limit"] = *p.limit;
          if (p.actual) j["actual"] = *p.actual;
          j["message"] = p.error.message;
          out << to_output(j) << '\n';
        }
      }
      if (problems > 0) {
        err << "chatdesk template validate: " << problems << " problem(s)\n";
        return exit_bad_input;
      }
      err << "chatdesk template validate: " << defs->size() << " definition(s) in '" << opts->file
          << "' follow every rule\n";
      return exit_ok;
    }

    (void)render_cmd;
    // Several templates and no --name: which one is meant cannot be guessed.
    const auto names = names_of(*defs);
    if (opts->name.empty() && names.size() > 1) {
      err << "chatdesk template render: '" << opts->file << "' has " << names.size()
          << " templates: choose one with --name (" << fmt::format("{}", fmt::join(names, ", ")) << ")\n";
      return exit_bad_input;
    }
    const template_definition* def = nullptr;
    for (const auto& d : *defs) {
      if ((opts->lang.empty() || d.language == opts->lang) && (opts->name.empty() || d.name == opts->name)) {
        def = &d;
        break;
      }
    }
    if (def == nullptr) {
      err << "chatdesk template render: no definition in '" << opts->file << "' matches"
          << (opts->name.empty() ? "" : " --name " + opts->name)
          << (opts->lang.empty() ? "" : " --lang " + opts->lang) << '\n';
      return exit_bad_input;
    }
    auto to = phone_number::parse(opts->to);
    if (!to) {
      err << "chatdesk template render: --to: " << to.error().to_string() << '\n';
      return exit_bad_input;
    }
    template_arguments args;
    for (const auto& p : opts->params) {
      const auto eq = p.find('=');
      if (eq == std::string::npos || eq == 0) {
        err << "chatdesk template render: --param '" << p << "' should be NAME=VALUE\n";
        return exit_bad_input;
      }
      const auto name = p.substr(0, eq);
      auto value = parse_value(p.substr(eq + 1), opts->tz);
      if (!value) {
        err << "chatdesk template render: " << value.error().to_string() << '\n';
        return exit_bad_input;
      }
      if (name == "header") {
        args.set_header(std::move(*value));
      } else if (name.rfind("button.", 0) == 0) {
        std::size_t index = 0;
        std::istringstream digits(name.substr(7));
        if (!(digits >> index) || !digits.eof() || !std::holds_alternative<std::string>(*value)) {
          err << "chatdesk template render: --param '" << p << "' should be button.N=TEXT\n";
          return exit_bad_input;
        }
        args.set_button(index, std::get<std::string>(*value));
      } else {
        args.set(name, std::move(*value));
      }
    }
    auto bound = bind(*def, args);
    if (!bound) {
      err << "chatdesk template render: " << bound.error().to_string() << '\n';
      return exit_bad_input;
    }
    ojson j;
    j["template"] = def->name;
    j["language"] = def->language;
    if (!bound->header_text.empty()) j["header"] = bound->header_text;
    j["body"] = bound->body;
    if (!bound->footer.empty()) j["footer"] = bound->footer;
    ojson buttons = ojson::array();
    for (std::size_t i = 0; i < bound->button_labels.size(); ++i) {
      ojson b;
      b["label"] = bound->button_labels[i];
      if (!bound->button_urls[i].empty()) b["url"] = bound->button_urls[i];
      buttons.push_back(b);
    }
    if (!buttons.empty()) j["buttons"] = buttons;
    auto request = send_request_json(*bound, *to);
    if (!request) {
      err << "chatdesk template render: " << request.error().to_string() << '\n';
      return exit_bad_input;
    }
    j["request"] = ojson::parse(*request);
    out << to_output(j, 2) << '\n';
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
