// chatdesk webhook decode|sign: thin shells over the wire module.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "chatdesk/core/input.hpp"
#include "chatdesk/wire/signature.hpp"
#include "chatdesk/wire/twilio.hpp"
#include "chatdesk/wire/webhook.hpp"
#include "chatdesk/wire/zendesk.hpp"
#include "commands.hpp"

namespace chatdesk::cli {

namespace {

/// A header's value from either the value alone or a whole header line
/// ("X-Hub-Signature-256: sha256=..."): the name and colon are dropped.
std::string_view header_value(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return text;
  const auto name = text.substr(0, colon);
  const bool header_name = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!header_name) return text;
  auto value = text.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  return value;
}

/// `key=value&key=value`, the way Twilio posts its webhooks, rather than JSON.
bool looks_like_form(std::string_view body) {
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || body[first] == '{' || body[first] == '[') return false;
  const auto eq = body.find('=');
  return eq != std::string_view::npos &&
         body.substr(first, eq - first).find_first_of(" {}\"") == std::string_view::npos;
}

}  // namespace

namespace {

/// The whole file, or standard input for "-", up to the decoders' body limit.
result<std::string> read_body(const std::string& path) {
  if (path == "-") return read_stream(std::cin, input_limits::webhook_body, "standard input");
  return read_file(path, input_limits::webhook_body);
}

}  // namespace

command add_webhook_command(CLI::App& app) {
  struct options {
    std::string file;
    std::string secret;
    std::string signature;
    std::string format = "platform";
    std::string received_at;
    std::string url;
    std::string sign_file;
    std::string sign_secret;
  };
  auto opts = std::make_shared<options>();
  auto* sub = app.add_subcommand("webhook", "Decode and sign webhook bodies (docs/wire.md)");
  sub->require_subcommand(1);
  auto* decode = sub->add_subcommand("decode", "Print one JSON line per event of a webhook body");
  decode->add_option("FILE", opts->file, "The raw body, as received ('-' for standard input)")->required();
  decode->add_option("--secret", opts->secret, "The app secret: check the signature before decoding");
  decode->add_option("--signature", opts->signature, "The X-Hub-Signature-256 header's value");
  decode
      ->add_option("--format", opts->format,
                   "The body's format: platform (JSON), twilio (form), zendesk (JSON)")
      ->check(CLI::IsMember({"platform", "twilio", "zendesk"}));
  decode->add_option("--received-at", opts->received_at,
                     "When the body arrived (ISO 8601), for formats without times (twilio); default now");
  decode->add_option("--url", opts->url, "twilio: the full URL Twilio called, to check --signature");
  auto* sign = sub->add_subcommand("sign", "Print the X-Hub-Signature-256 header a sender would set");
  sign->add_option("FILE", opts->sign_file, "The raw body ('-' for standard input)")->required();
  sign->add_option("--secret", opts->sign_secret, "The app secret")->required();

  return [opts, decode, sign](std::ostream& out, std::ostream& err) {
    if (sign->parsed()) {
      auto body = read_body(opts->sign_file);
      if (!body) {
        err << "chatdesk webhook sign: " << body.error().message << '\n';
        return exit_bad_input;
      }
      auto header = hub_signature(*body, opts->sign_secret);
      if (!header) {
        err << "chatdesk webhook sign: " << header.error().to_string() << '\n';
        // An empty secret is the caller's mistake; a build without OpenSSL is not.
        return header.error().code == "signature.unavailable" ? exit_failure : exit_bad_input;
      }
      out << hub_signature_header << ": " << *header << '\n';
      return exit_ok;
    }
    if (!decode->parsed()) return exit_bad_input;
    auto body = read_body(opts->file);
    if (!body) {
      err << "chatdesk webhook decode: " << body.error().message << '\n';
      return exit_bad_input;
    }
    if (!opts->secret.empty() || !opts->signature.empty()) {
      if (opts->secret.empty()) {
        err << "chatdesk webhook decode: --signature needs --secret to check it against\n";
        return exit_bad_input;
      }
      if (opts->format == "twilio" && opts->url.empty()) {
        err << "chatdesk webhook decode: --signature with --format twilio needs --url (the full URL Twilio "
               "called: its signature covers it)\n";
        return exit_bad_input;
      }
      // The bare value, or the header line `webhook sign` prints ("X-Hub-Signature-256: sha256=...").
      const auto signature = header_value(opts->signature);
      result<void> ok;
      if (opts->format == "twilio") {
        ok = verify_twilio_request(opts->url, *body, signature, opts->secret);
      } else if (opts->format == "zendesk") {
        ok = verify_zendesk_secret(signature, opts->secret);
      } else {
        ok = verify_hub_signature(*body, signature, opts->secret);
      }
      if (!ok) {
        err << "chatdesk webhook decode: refused: " << ok.error().to_string() << '\n';
        return exit_bad_input;
      }
    }
    timestamp received =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    if (!opts->received_at.empty()) {
      auto t = parse_timestamp(opts->received_at);
      if (!t) {
        err << "chatdesk webhook decode: --received-at: " << t.error().message << '\n';
        return exit_bad_input;
      }
      received = *t;
    }
    result<webhook_batch> batch = make_error("cli.format", "unknown format");
    if (opts->format == "twilio") {
      batch = decode_twilio_webhook(*body, received);
    } else if (opts->format == "zendesk") {
      batch = decode_zendesk_webhook(*body);
    } else {
      webhook_decoder decoder;
      batch = decoder.decode(*body);
    }
    if (!batch) {
      err << "chatdesk webhook decode: " << batch.error().to_string() << '\n';
      if (opts->format == "platform" && looks_like_form(*body))
        err << "chatdesk webhook decode: this looks like a form body: add --format twilio\n";
      return exit_bad_input;
    }
    for (const auto& e : batch->events) out << to_json_line(e) << '\n';
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
