#include "chatdesk/templates/library.hpp"

#include "chatdesk/templates/binding.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace chatdesk {

namespace {

struct entry {
  template_definition def;
  std::shared_ptr<const prepared_template> prepared;  // for checking sends (shared with `find`'s callers)
  int red_count = 0;                                  // times the quality became RED
  timestamp paused_until = never;                     // when a pause ends
};

using key = std::tuple<std::string, std::string, std::string>;  // business, name, language

std::string_view base_language(std::string_view lang) {
  return lang.substr(0, lang.find('_'));
}

}  // namespace

struct template_library::impl {
  explicit impl(const chatdesk::clock& c) : clock(c) {}
  const chatdesk::clock& clock;
  mutable std::shared_mutex mu;
  std::map<key, entry, std::less<>> entries;

  /// The definition with the status in force at `now` (a pause ends by itself).
  static template_definition effective(const entry& e, timestamp now) {
    template_definition d = e.def;
    if (d.status == template_status::paused && e.paused_until != never && now >= e.paused_until) {
      d.status = template_status::approved;
      d.status_changed_at = e.paused_until;
      d.status_reason.clear();
    }
    return d;
  }

  const entry* exact(std::string_view b, std::string_view n, std::string_view l) const {
    auto it = entries.find(key{std::string(b), std::string(n), std::string(l)});
    return it == entries.end() ? nullptr : &it->second;
  }
  entry* exact(std::string_view b, std::string_view n, std::string_view l) {
    auto it = entries.find(key{std::string(b), std::string(n), std::string(l)});
    return it == entries.end() ? nullptr : &it->second;
  }

  std::vector<std::string> languages(std::string_view b, std::string_view n) const {
    std::vector<std::string> out;
    for (const auto& [k, e] : entries)
      if (std::get<0>(k) == b && std::get<1>(k) == n) out.push_back(std::get<2>(k));
    return out;
  }

  error not_found(std::string_view b, std::string_view n, std::string_view l) const {
    const auto langs = languages(b, n);
    if (langs.empty())
      return make_error("template.not_found", fmt::format("business '{}' has no template '{}'", b, n),
                        "name");
    return make_error(
        "template.not_found",
        fmt::format("template '{}' has no '{}' version (it has: {})", n, l, fmt::join(langs, ", ")),
        "language");
  }
};

template_library::template_library(const chatdesk::clock& clock) : impl_(std::make_unique<impl>(clock)) {}
template_library::~template_library() = default;

result<void> template_library::add(std::string_view business_id, template_definition def) {
  if (business_id.empty())
    return make_error("template.invalid_definition", "a business id is required", "business");
  const auto problems = validate(def);
  if (!problems.empty()) {
    const auto& p = problems.front();
    return make_error("template.invalid_definition",
                      fmt::format("template '{}' ({}) has {} problem{}, first: {}", def.name, def.language,
                                  problems.size(), problems.size() == 1 ? "" : "s", p.error.message),
                      p.component);
  }
  auto prepared = prepared_template::prepare(def);
  if (!prepared) return prepared.error();
  auto shared = std::make_shared<const prepared_template>(std::move(*prepared));
  std::unique_lock g(impl_->mu);
  key k{std::string(business_id), def.name, def.language};
  impl_->entries[std::move(k)] = entry{std::move(def), std::move(shared), 0, never};
  return {};
}

result<template_library::match> template_library::lookup(std::string_view business_id, std::string_view name,
                                                         std::string_view language) const {
  const auto now = impl_->clock.now();
  std::shared_lock g(impl_->mu);
  if (const auto* e = impl_->exact(business_id, name, language))
    return match{impl::effective(*e, now), false};
  const auto base = base_language(language);
  if (base != language) {
    if (const auto* e = impl_->exact(business_id, name, base)) return match{impl::effective(*e, now), true};
  }
  for (const auto& l : impl_->languages(business_id, name)) {  // sorted: std::map order
    if (base_language(l) == base)
      return match{impl::effective(*impl_->exact(business_id, name, l), now), true};
  }
  return impl_->not_found(business_id, name, language);
}

std::vector<std::string> template_library::languages(std::string_view business_id,
                                                     std::string_view name) const {
  std::shared_lock g(impl_->mu);
  return impl_->languages(business_id, name);
}

std::vector<std::string> template_library::approved_in(std::string_view business_id,
                                                       std::string_view language) const {
  const auto now = impl_->clock.now();
  std::vector<std::string> out;
  std::shared_lock g(impl_->mu);
  for (const auto& [k, e] : impl_->entries) {
    if (std::get<0>(k) != business_id) continue;
    const auto& lang = std::get<2>(k);
    if (lang != language && base_language(lang) != base_language(language)) continue;
    if (impl::effective(e, now).status != template_status::approved) continue;
    if (out.empty() || out.back() != std::get<1>(k)) out.push_back(std::get<1>(k));
  }
  return out;
}

result<template_status> template_library::set_quality(std::string_view business_id, std::string_view name,
                                                      std::string_view language, quality_rating quality) {
  using namespace std::chrono_literals;
  const auto now = impl_->clock.now();
  std::unique_lock g(impl_->mu);
  auto* e = impl_->exact(business_id, name, language);
  if (e == nullptr) return impl_->not_found(business_id, name, language);
  e->def = impl::effective(*e, now);
  const bool became_red = quality == quality_rating::red && e->def.quality != quality_rating::red;
  e->def.quality = quality;
  if (became_red && e->def.status != template_status::disabled) {
    ++e->red_count;
    e->def.status_changed_at = now;
    if (e->red_count >= 3) {
      e->def.status = template_status::disabled;
      e->def.status_reason = "quality RED for the third time";
      e->paused_until = never;
    } else {
      const auto pause = e->red_count == 1 ? std::chrono::hours{3} : std::chrono::hours{6};
      e->def.status = template_status::paused;
      e->paused_until = now + pause;
      e->def.status_reason = fmt::format("quality RED: paused for {} hours, until {}", pause.count(),
                                         format_timestamp(e->paused_until));
    }
  }
  return e->def.status;
}

result<void> template_library::set_status(std::string_view business_id, std::string_view name,
                                          std::string_view language, template_status status,
                                          std::string reason) {
  const auto now = impl_->clock.now();
  std::unique_lock g(impl_->mu);
  auto* e = impl_->exact(business_id, name, language);
  if (e == nullptr) return impl_->not_found(business_id, name, language);
  e->def.status = status;
  e->def.status_reason = std::move(reason);
  e->def.status_changed_at = now;
  e->paused_until = never;
  return {};
}

result<void> template_library::set_category(std::string_view business_id, std::string_view name,
                                            std::string_view language, template_category category) {
  std::unique_lock g(impl_->mu);
  auto* e = impl_->exact(business_id, name, language);
  if (e == nullptr) return impl_->not_found(business_id, name, language);
  if (e->def.category == category) return {};
  auto def = e->def;
  def.category = category;
  auto prepared = prepared_template::prepare(def);  // bound sends carry the new category
  if (!prepared) return prepared.error();
  e->prepared = std::make_shared<const prepared_template>(std::move(*prepared));
  e->def = std::move(def);
  return {};
}

std::optional<template_info> template_library::find(std::string_view business_id, std::string_view name,
                                                    std::string_view language) const {
  const auto now = impl_->clock.now();
  std::shared_lock g(impl_->mu);
  const auto* e = impl_->exact(business_id, name, language);
  if (e == nullptr) return std::nullopt;
  const auto d = impl::effective(*e, now);
  return template_info{d.status, d.category, d.status_reason, e->prepared};
}

}  // namespace chatdesk
