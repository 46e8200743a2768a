// The catalog's definitions, written as the platform's template JSON so that
// they load through the same reader as a business's own.
#include "chatdesk/templates/catalog.hpp"

#include <fmt/format.h>

namespace chatdesk::catalog {

namespace {

struct entry {
  std::string_view name;
  std::string_view language;
  std::string_view json;
};

constexpr entry entries[] = {
    {"purchase_confirmation", "en_US",
     R"({"name":"purchase_confirmation","language":"en_US","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"HEADER","format":"TEXT","text":"Order {{order_number}} confirmed"},
 {"type":"BODY","text":"Thank you for your order, {{customer_name}}!\n\nItems: {{items}}\nTotal: {{total}}\nEstimated delivery: {{delivery_estimate}}\n\nWe will write again when it ships."},
 {"type":"FOOTER","text":"Reply STOP to stop order updates"},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Track your order","url":"https://shop.example.com/orders/{{1}}"}]}]})"},
    {"purchase_confirmation", "it", R"({"name":"purchase_confirmation","language":"it","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"HEADER","format":"TEXT","text":"Ordine {{order_number}} confermato"},
 {"type":"BODY","text":"Grazie per il tuo ordine, {{customer_name}}!\n\nArticoli: {{items}}\nTotale: {{total}}\nConsegna prevista: {{delivery_estimate}}\n\nTi scriveremo di nuovo alla spedizione."},
 {"type":"FOOTER","text":"Rispondi STOP per non ricevere aggiornamenti"},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Segui il tuo ordine","url":"https://shop.example.com/orders/{{1}}"}]}]})"},
    {"purchase_confirmation_receipt", "en_US", R"({"name":"purchase_confirmation_receipt","language":"en_US",
 "category":"UTILITY","status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"HEADER","format":"DOCUMENT"},
 {"type":"BODY","text":"Thank you for your order {{order_number}}, {{customer_name}}! Your receipt is attached.\n\nItems: {{items}}\nTotal: {{total}}\nEstimated delivery: {{delivery_estimate}}"},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Track your order","url":"https://shop.example.com/orders/{{1}}"}]}]})"},
    {"purchase_confirmation_receipt", "it", R"({"name":"purchase_confirmation_receipt","language":"it",
 "category":"UTILITY","status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"HEADER","format":"DOCUMENT"},
 {"type":"BODY","text":"Grazie per il tuo ordine {{order_number}}, {{customer_name}}! In allegato trovi la ricevuta.\n\nArticoli: {{items}}\nTotale: {{total}}\nConsegna prevista: {{delivery_estimate}}"},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Segui il tuo ordine","url":"https://shop.example.com/orders/{{1}}"}]}]})"},
    {"shipping_update", "en_US", R"({"name":"shipping_update","language":"en_US","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"BODY","text":"Good news, {{customer_name}}: order {{order_number}} has shipped with {{carrier}}.\nTracking number: {{tracking_number}}\nExpected delivery: {{delivery_date}}"},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Track shipment","url":"https://shop.example.com/track/{{1}}"}]}]})"},
    {"shipping_update", "it", R"({"name":"shipping_update","language":"it","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"BODY","text":"Buone notizie, {{customer_name}}: l'ordine {{order_number}} è stato spedito con {{carrier}}.\nNumero di tracciamento: {{tracking_number}}\nConsegna prevista: {{delivery_date}}"},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Traccia la spedizione","url":"https://shop.example.com/track/{{1}}"}]}]})"},
    {"delivery_notice", "en_US", R"({"name":"delivery_notice","language":"en_US","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"BODY","text":"Order {{order_number}} was delivered on {{delivered_at}} ({{delivery_place}}). We hope you enjoy it, {{customer_name}}!"},
 {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"All good"},{"type":"QUICK_REPLY","text":"Report a problem"}]}]})"},
    {"delivery_notice", "it", R"({"name":"delivery_notice","language":"it","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"BODY","text":"L'ordine {{order_number}} è stato consegnato il {{delivered_at}} ({{delivery_place}}). Buon divertimento, {{customer_name}}!"},
 {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Tutto bene"},{"type":"QUICK_REPLY","text":"Segnala un problema"}]}]})"},
    {"boarding_pass", "en_US", R"({"name":"boarding_pass","language":"en_US","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"HEADER","format":"DOCUMENT"},
 {"type":"BODY","text":"{{passenger}}, here is your boarding pass for {{airline}} flight {{flight_number}}.\nBooking reference: {{pnr}}\n\nFrom: {{departure_airport}}, terminal {{departure_terminal}}, gate {{departure_gate}}\nDeparts: {{departure_time}}\nTo: {{arrival_airport}}, terminal {{arrival_terminal}}\nArrives: {{arrival_time}}\n\nSeat {{seat}}, {{travel_class}}, boarding group {{boarding_group}}\nBoarding starts: {{boarding_time}}\nShow the barcode in the attached pass at the gate."},
 {"type":"FOOTER","text":"Times are local to each airport"},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Manage booking","url":"https://airline.example.com/booking/{{1}}"}]}]})"},
    {"boarding_pass", "it", R"({"name":"boarding_pass","language":"it","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"HEADER","format":"DOCUMENT"},
 {"type":"BODY","text":"{{passenger}}, ecco la tua carta d'imbarco per il volo {{airline}} {{flight_number}}.\nCodice di prenotazione: {{pnr}}\n\nDa: {{departure_airport}}, terminal {{departure_terminal}}, gate {{departure_gate}}\nPartenza: {{departure_time}}\nA: {{arrival_airport}}, terminal {{arrival_terminal}}\nArrivo: {{arrival_time}}\n\nPosto {{seat}}, {{travel_class}}, gruppo d'imbarco {{boarding_group}}\nInizio imbarco: {{boarding_time}}\nMostra il codice a barre della carta allegata al gate."},
 {"type":"FOOTER","text":"Orari locali di ciascun aeroporto"},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Gestisci prenotazione","url":"https://airline.example.com/booking/{{1}}"}]}]})"},
    {"flight_update", "en_US", R"({"name":"flight_update","language":"en_US","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"HEADER","format":"TEXT","text":"Flight {{flight_number}} update"},
 {"type":"BODY","text":"{{passenger}}, your flight {{flight_number}} to {{arrival_airport}} now departs at {{departure_time}} from gate {{departure_gate}}.\nReason: {{reason}}\nWe are sorry for the inconvenience."},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Flight status","url":"https://airline.example.com/status/{{1}}"}]}]})"},
    {"flight_update", "it", R"({"name":"flight_update","language":"it","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"HEADER","format":"TEXT","text":"Aggiornamento volo {{flight_number}}"},
 {"type":"BODY","text":"{{passenger}}, il tuo volo {{flight_number}} per {{arrival_airport}} ora parte alle {{departure_time}} dal gate {{departure_gate}}.\nMotivo: {{reason}}\nCi scusiamo per il disagio."},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Stato del volo","url":"https://airline.example.com/status/{{1}}"}]}]})"},
    {"payment_reminder", "en_US", R"({"name":"payment_reminder","language":"en_US","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"BODY","text":"Hi {{customer_name}}, a payment of {{amount}} for invoice {{invoice_number}} is due on {{due_date}}. If you have already paid, please ignore this message."},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Pay now","url":"https://pay.example.com/invoice/{{1}}"}]}]})"},
    {"payment_reminder", "it", R"({"name":"payment_reminder","language":"it","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"BODY","text":"Ciao {{customer_name}}, il pagamento di {{amount}} per la fattura {{invoice_number}} scade il {{due_date}}. Se hai già pagato, ignora questo messaggio."},
 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Paga ora","url":"https://pay.example.com/invoice/{{1}}"}]}]})"},
    {"appointment_reminder", "en_US",
     R"({"name":"appointment_reminder","language":"en_US","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"BODY","text":"Hi {{customer_name}}, this is a reminder of your appointment with {{provider}} on {{appointment_time}} at {{place}}."},
 {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Confirm"},{"type":"QUICK_REPLY","text":"Reschedule"}]}]})"},
    {"appointment_reminder", "it", R"({"name":"appointment_reminder","language":"it","category":"UTILITY",
 "status":"APPROVED","parameter_format":"NAMED","components":[
 {"type":"BODY","text":"Ciao {{customer_name}}, ti ricordiamo l'appuntamento con {{provider}} il {{appointment_time}} presso {{place}}."},
 {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Confermo"},{"type":"QUICK_REPLY","text":"Sposta"}]}]})"},
    {"one_time_passcode", "en_US",
     R"({"name":"one_time_passcode","language":"en_US","category":"AUTHENTICATION",
 "status":"APPROVED","parameter_format":"POSITIONAL","components":[
 {"type":"BODY","text":"{{1}} is your verification code. For your security, do not share this code."},
 {"type":"FOOTER","text":"This code expires in 10 minutes."},
 {"type":"BUTTONS","buttons":[{"type":"OTP","otp_type":"COPY_CODE","text":"Copy code"}]}]})"},
    {"one_time_passcode", "it", R"({"name":"one_time_passcode","language":"it","category":"AUTHENTICATION",
 "status":"APPROVED","parameter_format":"POSITIONAL","components":[
 {"type":"BODY","text":"{{1}} è il tuo codice di verifica. Per la tua sicurezza, non condividerlo."},
 {"type":"FOOTER","text":"Il codice scade tra 10 minuti."},
 {"type":"BUTTONS","buttons":[{"type":"OTP","otp_type":"COPY_CODE","text":"Copia codice"}]}]})"},
};

}  // namespace

std::vector<std::string_view> names() {
  std::vector<std::string_view> out;
  for (const auto& e : entries)
    if (out.empty() || out.back() != e.name) out.push_back(e.name);
  return out;
}

std::vector<std::string_view> languages() {
  return {"en_US", "it"};
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
