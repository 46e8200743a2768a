// The catalog's definitions: data files in the platform's template JSON
// (templates/catalog/*.json), embedded at build time, that load through the
// same reader as a business's own.
#include "chatdesk/templates/catalog.hpp"

#include <iterator>

#include <fmt/format.h>

namespace chatdesk::catalog {

namespace {

struct entry {
  std::string_view name;
  std::string_view language;
  std::string_view json;
};

// The definitions, from templates/catalog/<name>.<language>.json, in the
// catalog's order (src/CMakeLists.txt), and the languages.
#include "catalog_entries.inc"

}  // namespace

std::vector<std::string_view> names() {
  std::vector<std::string_view> out;
  for (const auto& e : entries)
    if (out.empty() || out.back() != e.name) out.push_back(e.name);
  return out;
}

std::vector<std::string_view> languages() {
  return {std::begin(catalog_languages), std::end(catalog_languages)};
}

result<template_definition> get(std::string_view name, std::string_view language) {
  for (const auto& e : entries) {
    if (e.name == name && e.language == language) return parse_template(e.json);
  }
  return make_error("template.not_in_catalog",
                    fmt::format("the catalog has no template '{}' in '{}'", name, language), "name");
}

std::vector<template_definition> all() {
  std::vector<template_definition> out;
  for (const auto& e : entries) out.push_back(parse_template(e.json).value());
  return out;
}

}  // namespace chatdesk::catalog
