# Checks one run's exit status, stdout and stderr against what is expected.
function(check_run name expected_status expected_out_regex expected_err_regex status out err)
  if(NOT status STREQUAL expected_status)
    message(SEND_ERROR "${name}: exit status ${status}, expected ${expected_status}\nstdout: ${out}\nstderr: ${err}")
  endif()
  if(NOT out MATCHES "${expected_out_regex}")
    message(SEND_ERROR "${name}: stdout does not match '${expected_out_regex}':\n${out}")
  endif()
  if(NOT err MATCHES "${expected_err_regex}")
    message(SEND_ERROR "${name}: stderr does not match '${expected_err_regex}':\n${err}")
  endif()
endfunction()

function(expect_run name expected_status expected_out_regex expected_err_regex)
  execute_process(COMMAND "${CHATDESK}" ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  check_run("${name}" "${expected_status}" "${expected_out_regex}" "${expected_err_regex}" "${status}" "${out}" "${err}")
endfunction()

# The same with standard input read from `input_file`.
function(expect_run_input name input_file expected_status expected_out_regex expected_err_regex)
  execute_process(COMMAND "${CHATDESK}" ${ARGN} INPUT_FILE "${input_file}"
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  check_run("${name}" "${expected_status}" "${expected_out_regex}" "${expected_err_regex}" "${status}" "${out}" "${err}")
endfunction()

expect_run(phone_italy 0
  "^{\"input\":\"\\+39 333 123 4567\",\"e164\":\"\\+393331234567\",\"calling_code\":\"39\",\"country\":\"IT\",\"market\":\"Italy\",\"click_to_chat\":\"393331234567\"}\n$"
  "^$" phone "+39 333 123 4567")
expect_run(phone_us_national 0
  "\"e164\":\"\\+14155551234\",\"calling_code\":\"1\",\"country\":\"US\",\"market\":\"North America\",\"click_to_chat\":\"14155551234\""
  "^$" phone "(415) 555-1234" --region US)
expect_run(phone_dominican 0 "\"country\":\"DO\",\"market\":\"Rest of Latin America\"" "^$" phone "whatsapp:+18095551234")
expect_run(phone_hong_kong_before 0 "\"market\":\"Rest of Asia Pacific\"" "^$" phone "+852 5123 4567" --on 2026-06-30)
expect_run(phone_hong_kong_after 0 "\"market\":\"Hong Kong\"" "^$" phone "+852 5123 4567" --on 2026-07-01)
expect_run(phone_kazakhstan 0 "\"country\":\"KZ\",\"market\":\"Kazakhstan\"" "^$" phone "+7 701 123 4567" --on 2026-10-01)
expect_run(phone_bad_date 2 "^$" "--on" phone "+852 5123 4567" --on 2026-13-01)
expect_run(phone_nongeographic 0 "\"country\":null,\"market\":\"Other\"" "^$" phone "+80012345678")
expect_run(phone_quote 2 "^$" "phone.invalid_character.*'\"'" phone "+39 \"x\"")
expect_run(phone_letters 2 "^$" "^chatdesk phone: \\[chatdesk.phone.letters\\] '12ab' contains the letter 'a'[^\n]*\n$" phone "12ab")
expect_run(phone_too_short 2 "^$" "^chatdesk phone: \\[chatdesk.phone.too_short\\][^\n]*\n$" phone "+39 12")
expect_run(phone_missing_region 2 "^$" "phone.missing_region" phone "333 1234567")
expect_run(phone_bad_region 2 "^$" "phone.unknown_region" phone "333 1234567" --region ZZ)
expect_run(phone_missing_argument 2 "^$" "NUMBER is required" phone)
expect_run(unknown_subcommand 2 "^$" "." frobnicate)
expect_run(version 0 "^chatdesk [0-9]+\\.[0-9]+\\.[0-9]+\n$" "^$" --version)
expect_run(help 0 "Usage: chatdesk.*phone" "^$" --help)
expect_run(phone_help 0 "Usage: .*phone.*NUMBER.*--region" "^$" phone --help)

# chatdesk simulate: the example conversation and a script full of problems.
get_filename_component(_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
set(_window "\"window\":{\"service_window_open\":")
expect_run(simulate_conversation 0
  "\"line\":5,\"at\":\"2026-03-02T09:05:00Z\",\"event\":\"send\",\"customer\":\"\\+393331234567\",\"kind\":\"text\",\"id\":\"out1\",\"decision\":\"allowed\",\"charge\":\"free_form\".*\"line\":7,[^\n]*\"status\":\"sent\",\"result\":\"stale\",\"message_status\":\"delivered\".*\"line\":9,[^\n]*\"result\":\"duplicate\".*\"line\":10,[^\n]*\"event\":\"window_closing\",\"business\":\"shop\",\"number\":\"n1\".*\"line\":10,[^\n]*\"decision\":\"allowed\".*\"line\":11,[^\n]*\"event\":\"window_closed\".*\"line\":11,[^\n]*\"id\":\"out3\",\"decision\":\"refused\",\"policy\":\"service_window\",\"code\":\"policy.outside_service_window\",\"reason\":\"the customer service window with \\+393331234567 closed at 2026-03-03T09:00:00Z.*\"line\":12,[^\n]*\"code\":\"policy.template_not_approved\".*\"line\":13,[^\n]*\"decision\":\"allowed\",\"charge\":\"volume_tier\".*\"event\":\"opted_out\".*\"code\":\"policy.opted_out\".*\"entry_point\":\"pending\".*\"event\":\"entry_point_opened\".*\"charge\":\"free_entry_point\""
  "^$" simulate "${_root}/examples/scripts/conversation.jsonl")
expect_run(simulate_problems 2
  "\"line\":3,[^\n]*\"event\":\"status\",\"id\":\"nope\",\"status\":\"read\",\"result\":\"held\".*\"line\":4,\"event\":\"problem\",\"code\":\"phone.too_short\".*\"line\":5,\"event\":\"problem\",\"code\":\"simulate.unknown_kind\".*\"line\":6,\"event\":\"problem\",\"code\":\"simulate.unknown_type\".*\"line\":7,\"event\":\"problem\",\"code\":\"simulate.syntax\".*\"line\":8,\"event\":\"problem\",\"code\":\"simulate.out_of_order\".*\"line\":10,\"event\":\"problem\",\"code\":\"simulate.field\",\"reason\":\"'id' must be a string, not number\".*\"line\":13,"
  "10 line\\(s\\) of .* were skipped" simulate "${_root}/tests/cli/data/simulate_problems.jsonl")
# --store: the state lasts in a SQLite file, so a second run of the same script finds it all done.
set(_db "${CMAKE_CURRENT_BINARY_DIR}/chatdesk-cli-simulate.db")
file(REMOVE "${_db}" "${_db}-wal" "${_db}-shm")
expect_run(simulate_store_first 0 "\"line\":4,[^\n]*\"result\":\"accepted\",\"window_opened\":true" "^$"
  simulate "${_root}/examples/scripts/conversation.jsonl" --store "${_db}")
expect_run(simulate_store_again 2
  "\"line\":4,[^\n]*\"result\":\"duplicate\".*\"line\":5,\"event\":\"problem\",\"code\":\"desk.duplicate_correlation_id\""
  "were skipped" simulate "${_root}/examples/scripts/conversation.jsonl" --store "${_db}")
file(REMOVE "${_db}" "${_db}-wal" "${_db}-shm")
expect_run(simulate_store_directory 2 "^$" "opening the database \\(${_root}/tests\\): unable to open"
  simulate "${_root}/examples/scripts/conversation.jsonl" --store "${_root}/tests")
expect_run(simulate_store_not_a_database 2 "^$" "file is not a database"
  simulate "${_root}/examples/scripts/conversation.jsonl" --store "${_root}/examples/scripts/conversation.jsonl")
expect_run(simulate_missing_file 2 "^$" "'/nonexistent/script.jsonl' does not exist" simulate "/nonexistent/script.jsonl")
expect_run(simulate_directory 2 "^$" "is a directory, not a file" simulate "${_root}/tests")

# Live support in a script, then its report from the store the run kept.
set(_day "${CMAKE_CURRENT_BINARY_DIR}/chatdesk-cli-support.db")
file(REMOVE "${_day}" "${_day}-wal" "${_day}-shm")
expect_run(simulate_support_day 0
  "\"line\":9,[^\n]*\"event\":\"support.handed_off\".*\"line\":9,[^\n]*\"event\":\"support.assigned\",[^\n]*\"agent\":\"giulia\",\"team\":\"care\",\"reason\":\"assigned to Giulia: holds 0 of 2.*\"line\":17,[^\n]*\"event\":\"support.sla_warning\",[^\n]*\"metric\":\"first_response\",\"due\":\"2026-03-02T13:21:00Z\".*\"line\":18,[^\n]*\"event\":\"support.sla_breached\".*\"line\":23,[^\n]*\"event\":\"support.queued\",[^\n]*\"reason\":\"queued: team care is outside its hours; it opens 2026-03-03 09:00 CET\".*\"event\":\"support.out_of_office\".*\"line\":24,\"at\":\"2026-03-03T08:00:00Z\",\"event\":\"support.assigned\",[^\n]*\"agent\":\"marco\""
  "^$" simulate "${_root}/examples/scripts/support_day.jsonl" --store "${_day}")
expect_run(support_report_csv 0
  "^scope,id,conversations,[^\n]*\r?\nbusiness,shop,3,3,3,2,600.0,2340.0,,,2940.0,13740.0,4,1,0.8,1,1,5.0,1.0\r?\nteam,care,3,[^\n]*\r?\nagent,giulia,2,0,2,2,540.0,2340.0,[^\n]*\r?\nagent,marco,1,0,1,0,600.0,600.0,,,,,1,0,1.0,0,0,,\r?\n$"
  "^$" support report --store "${_day}" --business shop --from 2026-03-02 --to 2026-03-03 --format csv)
expect_run(support_report_json 0
  "\"time_zone\": \"Europe/Rome\",.*\"start\": \"2026-03-01T23:00:00Z\",.*\"measured_in\": \"business_hours\",.*\"conversations\": 2,"
  "^$" support report --store "${_day}" --business shop --from 2026-03-02)
expect_run(support_report_unknown_business 2 "^$" "live support is not configured for business 'nope'"
  support report --store "${_day}" --business nope --from 2026-03-02)
expect_run(support_report_bad_day 2 "^$" "'2026-02-30' is not a date \\(YYYY-MM-DD\\) \\(at to\\)"
  support report --store "${_day}" --business shop --from 2026-02-01 --to 2026-02-30)
expect_run(support_report_no_store 2 "^$" "name the store" support report --business shop --from 2026-03-02)
expect_run(support_report_missing_file 2 "^$" "'/nonexistent.db' is not a file"
  support report --store /nonexistent.db --business shop --from 2026-03-02)
expect_run(support_report_bad_format 2 "^$" "format" support report --store "${_day}" --business shop --from 2026-03-02 --format xml)
file(REMOVE "${_day}" "${_day}-wal" "${_day}-shm")

# chatdesk link: links, QR codes (decoded in tests/links/qr_decode.cmake) and the website button.
expect_run(link_plain 0 "^https://wa.me/390551234567\n$" "^$" link "+39 055 123 4567")
expect_run(link_text_ref 0 "^https://wa.me/14155551234\\?text=Hi%20there%20%26%20%23you%20%5Bref%3Aad-7%5D\n$" "^$"
  link "(415) 555-1234" --region US --text "Hi there & #you" --ref ad-7)
expect_run(link_legacy 0 "^https://api.whatsapp.com/send\\?phone=447700900123&text=Hello\n$" "^$"
  link "07700 900123" --region GB --legacy --text Hello)
expect_run(link_bad_number 2 "^$" "\\[phone.too_short\\]" link 333 --region IT)
expect_run(link_bad_ref 2 "^$" "\\[links.invalid_ref\\]" link "+39 055 123 4567" --ref "a b")
expect_run(link_too_long 2 "^$" "the link would be 38 bytes, over the limit of 30.*links.too_long" link "+39 055 123 4567"
  --text "abcdef" --max-length 30)
expect_run(link_html 0 "<a class=\"chatdesk-chat-button\" href=\"https://wa.me/390551234567\"[^>]*>Chat with Bottega &lt;b&gt; &amp; figli on WhatsApp</a>.*<svg [^>]*role=\"img\".*</style>"
  "^$" link "+39 055 123 4567" --html --name "Bottega <b> & figli")
expect_run(link_svg 0 "^<svg xmlns=\"http://www.w3.org/2000/svg\"[^\n]*</svg>\n$" "^$" link "+39 055 123 4567" --qr svg --ecc H)
expect_run(link_bad_ecc 2 "^$" "ecc" link "+39 055 123 4567" --qr svg --ecc Z)
expect_run(link_png 2 "^$" "qr" link "+39 055 123 4567" --qr png)

# chatdesk template: validate, render, catalog.
expect_run(template_validate_problems 2
  "\"template\":\"Spring-Sale\",\"language\":\"it\",\"code\":\"template.invalid_name\".*\"code\":\"template.too_long\",\"component\":\"header\",\"limit\":60,\"actual\":73.*\"code\":\"template.too_many_parameters\",\"component\":\"header\",\"limit\":1,\"actual\":2.*\"code\":\"template.parameter_gap\".*\"code\":\"template.footer_parameters\".*\"component\":\"buttons\\[1\\]\",\"limit\":25,\"actual\":29.*\"code\":\"template.url_variable_not_last\".*\"code\":\"template.quick_replies_not_grouped\".*\"template\":\"otp_login\".*\"code\":\"template.missing_otp_button\""
  "problem\\(s\\)" template validate "${_root}/tests/cli/data/bad_templates.json")
expect_run(template_validate_ok 0 "^$" "1 definition\\(s\\) in '[^']*order_update.json' follow every rule"
  template validate "${_root}/tests/cli/data/order_update.json")
expect_run(template_render 0
  "\"body\": \"Hi Maria, your order A-1 of 1,234.50 USD ships on Mon 2 Mar 2026, 09:30 CET.\".*\"url\": \"https://shop.example.com/t/A-1\".*\"to\": \"\\+393331234567\".*\"amount_1000\": 1234500"
  "^$" template render "${_root}/tests/cli/data/order_update.json" --param 1=Maria --param 2=A-1
  --param 3=currency:USD:1234.50 --param 4=date_time:2026-03-02T08:30:00Z --tz Europe/Rome --param button.0=A-1
  --to "+39 333 123 4567")
expect_run(template_render_missing 2 "^$" "template.parameter_count\\] the body of 'order_update' takes 4 values, got 1"
  template render "${_root}/tests/cli/data/order_update.json" --param 1=Maria)
expect_run(template_render_bad_param 2 "^$" "should be currency:CODE:AMOUNT"
  template render "${_root}/tests/cli/data/order_update.json" --param 3=currency:USD)
expect_run(template_render_newline 2 "^$" "template.invalid_text"
  template render "${_root}/tests/cli/data/order_update.json" --param "1=two\nlines" --param 2=a --param 3=b
  --param 4=c --param button.0=x)
expect_run(template_not_json 2 "^$" "template.json" template validate "${_root}/tests/cli/data/simulate_problems.jsonl")
expect_run(template_catalog 0 "\"name\": \"one_time_passcode\",.*\"category\": \"AUTHENTICATION\"" "^$"
  template catalog --name one_time_passcode --lang it)
expect_run(template_catalog_no_match 2 "^$" "no template matches; the catalog has [a-z_, ]*one_time_passcode"
  template catalog --name one_time_pascode)
# A file of several templates: render needs --name, and says which there are.
set(_two_templates "${CMAKE_CURRENT_BINARY_DIR}/two_templates.json")
if(NOT CMAKE_CURRENT_BINARY_DIR)
  set(_two_templates "${_root}/build/two_templates.json")
endif()
file(READ "${_root}/src/templates/catalog/purchase_confirmation.en_US.json" _first)
file(READ "${_root}/src/templates/catalog/shipping_update.en_US.json" _second)
file(WRITE "${_two_templates}" "[${_first},${_second}]")
expect_run(template_render_which 2 "^$"
  "has 2 templates: choose one with --name \\(purchase_confirmation, shipping_update\\)"
  template render "${_two_templates}")
# Unknown commands list the ones there are.
expect_run(unknown_command 2 "^$" "'bogus' is not a command; the commands are phone, simulate, template, price, invoice, forecast, webhook, support, link"
  bogus)

# chatdesk price: an invoice, problems by line, explain, compare, bad cards.
set(_card "${_root}/data/rate_cards/pmp_2025-2026-01-01-usd.json")
set(_events "${_root}/examples/pricing/events.jsonl")
file(READ "${_card}" _card_text)
string(REPLACE "\"effective_from\": \"2026-01-01\"" "\"effective_from\": \"2025-07-01\"" _card_2025 "${_card_text}")
set(_card_2025_file "${CMAKE_CURRENT_BINARY_DIR}/card-2025-07-01.json")
if(NOT CMAKE_CURRENT_BINARY_DIR)
  set(_card_2025_file "${_root}/build/card-2025-07-01.json")
endif()
file(WRITE "${_card_2025_file}" "${_card_2025}")
expect_run(price_invoice 0
  "\"currency\": \"USD\",[^{]*\"total\": \"0.104\",[^{]*\"total_settled\": \"0.10\".*\"market\": \"Italy\",[^}]*\"category\": \"utility\",[^}]*\"unit_price\": \"0.0300\".*\"market\": \"Rest of Latin America\",[^}]*\"unit_price\": \"0.0740\".*\"reason\": \"free_entry_point\",[^}]*\"count\": 1.*\"reason\": \"free_form\",[^}]*\"count\": 1.*\"reason\": \"utility_in_window\",[^}]*\"count\": 1.*\"line\": 16,[^}]*\"pricing.unknown_message\".*\"line\": 17,[^}]*\"pricing.syntax\".*\"line\": 18,[^}]*\"pricing.out_of_order\""
  "3 line\\(s\\) skipped" price --rates "${_card_2025_file}" --businesses "${_root}/examples/pricing/businesses.json" "${_events}")
expect_run(price_explain 0 "\"id\":\"m3\",.*\"amount\":\"0.0740\",\"reason\":\"volume_tier\",\"free\":false,.*\"explanation\":\"pmp_2025: a marketing template" "^$"
  price --rates "${_card_2025_file}" --explain m3 "${_events}")
expect_run(price_explain_free 0 "\"id\":\"m5\",.*\"reason\":\"free_entry_point\",\"free\":true" "^$"
  price --rates "${_card_2025_file}" --explain m5 "${_events}")
expect_run(price_no_card_yet 0 "\"code\": \"pricing.no_rate_card\"" "." price --rates "${_card}" "${_events}")
# Only the models with a card are compared; the others are named, and the skipped lines counted.
expect_run(price_compare 0 "^[^}]*\"compare\": \[[^]]*\"model\": \"pmp_2025\",[^}]*\"total\": \"0.104\",[^}]*\"problems\": 3[^]]*\],[^]]*\"no_card\": \[[^]]*\"legacy_2018\""
  "no rate card for legacy_2018, cbp_2022, cbp_2023, pmp_2026_10: left out of the comparison.*3 line\\(s\\) skipped"
  price --rates "${_card_2025_file}" --compare "${_events}")
# "-" reads the events from standard input.
expect_run_input(price_stdin "${_events}" 0 "\"total\": \"0.104\"" "3 line\\(s\\) skipped"
  price --rates "${_card_2025_file}" -)
expect_run(price_remember_small 0 "\"total\": \"0.104\"" "3 line\\(s\\) skipped"
  price --rates "${_card_2025_file}" --remember-ids 2 --remember-hours 1 "${_events}")
expect_run(price_max_problems 0
  "\"problems\": \\[[^{}]*{[^}]*\"line\": 16,[^}]*}[^{}]*\\],[^[]*\"problems_total\": 3,[^[]*\"problem_counts\": {[^}]*\"pricing.out_of_order\": 1,[^}]*\"pricing.syntax\": 1,[^}]*\"pricing.unknown_message\": 1"
  "3 line\\(s\\) skipped, the first 1 listed under \"problems\", all counted"
  price --rates "${_card_2025_file}" --max-problems 1 "${_events}")
expect_run(price_remember_bad 2 "^$" "--remember-ids: Value 1 not in range"
  price --rates "${_card_2025_file}" --remember-ids 1 "${_events}")
expect_run(price_bad_card 2 "^$" "pricing.invalid_card\\] .*businesses.json: .model. is required \\(at \\$.model\\)" price --rates "${_root}/examples/pricing/businesses.json" "${_events}")
expect_run(price_bad_model 2 "^$" "--model: 'pmp_2099' is not a pricing model" price --rates "${_card}" --model pmp_2099 "${_events}")
# Sharded pricing: N shards' invoices, merged, are the invoice of one run (problems included).
set(_shard_dir "${CMAKE_CURRENT_BINARY_DIR}/shards")
if(NOT CMAKE_CURRENT_BINARY_DIR)
  set(_shard_dir "${_root}/build/shards")
endif()
file(MAKE_DIRECTORY "${_shard_dir}")
execute_process(COMMAND "${CHATDESK}" price --rates "${_card_2025_file}" --businesses
  "${_root}/examples/pricing/businesses.json" "${_events}" OUTPUT_VARIABLE _whole ERROR_QUIET)
foreach(_n 1 2 7)
  set(_parts "")
  foreach(_k RANGE 1 ${_n})
    execute_process(COMMAND "${CHATDESK}" price --rates "${_card_2025_file}" --businesses
      "${_root}/examples/pricing/businesses.json" --shard ${_k}/${_n} "${_events}"
      OUTPUT_FILE "${_shard_dir}/${_k}-of-${_n}.json" ERROR_QUIET RESULT_VARIABLE _status)
    if(NOT _status EQUAL 0)
      message(SEND_ERROR "price --shard ${_k}/${_n}: exit status ${_status}")
    endif()
    list(APPEND _parts "${_shard_dir}/${_k}-of-${_n}.json")
  endforeach()
  execute_process(COMMAND "${CHATDESK}" invoice merge ${_parts} OUTPUT_VARIABLE _merged ERROR_VARIABLE _merge_err
    RESULT_VARIABLE _status)
  check_run(invoice_merge_${_n}_shards 0 "\"total\": \"0.104\"" "^$" "${_status}" "${_merged}" "${_merge_err}")
  if(NOT _merged STREQUAL _whole)
    message(SEND_ERROR "${_n} shards merged differ from one run:\n${_merged}\nagainst\n${_whole}")
  endif()
endforeach()
expect_run(price_shard_zero 2 "^$" "--shard: '0/2' is not a shard: write K/N, K from 1 to N" price --rates "${_card}" --shard 0/2 "${_events}")
expect_run(price_shard_beyond 2 "^$" "'3/2' is not a shard" price --rates "${_card}" --shard 3/2 "${_events}")
expect_run(invoice_merge_not_invoice 2 "^$" "invoice merge: '[^']*businesses.json': \\[chatdesk.pricing.invalid_invoice\\]"
  invoice merge "${_root}/examples/pricing/businesses.json")
expect_run(invoice_merge_missing 2 "^$" "invoice merge: .*nope.json" invoice merge "${_shard_dir}/nope.json")
expect_run(invoice_merge_nothing 2 "^$" "INVOICES is required" invoice merge)
expect_run(forecast 0 "\"total\": \"963.50\",.*\"free\": 5000,.*\"count\": 15000,.*\"unit_price\": \"0.0300\"" "^$"
  forecast --rates "${_card}" "${_root}/examples/pricing/plan.json")
expect_run(forecast_too_big 2 "^$" "pricing.invalid_plan\\] count 18446744073709551615 is above .*\\(at sends\\[0\\].count\\)"
  forecast --rates "${_card}" "${_root}/tests/cli/data/plan_too_big.json")
expect_run(forecast_bad_plan 2 "^$" "pricing.invalid_plan" forecast --rates "${_card}" "${_root}/examples/pricing/businesses.json")

# chatdesk webhook decode|sign: every format, signatures, refusals.
set(_fx "${_root}/tests/wire/fixtures")
expect_run(webhook_decode_text 0
  "^{\"kind\":\"message\",\"id\":\"wamid.HBgL[^\n]*\"from\":\"16505551234\",\"timestamp\":\"2025-06-08T20:59:43Z\"[^\n]*\"profile_name\":\"Sheena Nelson\"[^\n]*}\n$"
  "^$" webhook decode "${_fx}/platform/text.json")
if(CHATDESK_WITH_OPENSSL)
  execute_process(COMMAND "${CHATDESK}" webhook sign --secret app-secret "${_fx}/platform/text.json"
    OUTPUT_VARIABLE _signed RESULT_VARIABLE _sign_status)
  string(REGEX REPLACE "^X-Hub-Signature-256: ([^\n]*)\n$" "\\1" _signature "${_signed}")
  if(NOT _sign_status EQUAL 0 OR NOT _signature MATCHES "^sha256=[0-9a-f]+$")
    message(SEND_ERROR "webhook sign printed '${_signed}'")
  endif()
  expect_run(webhook_decode_signed 0 "\"kind\":\"message\"" "^$"
    webhook decode --secret app-secret --signature "${_signature}" "${_fx}/platform/text.json")
  expect_run(webhook_decode_wrong_secret 2 "^$" "refused: \\[chatdesk.signature.mismatch\\]"
    webhook decode --secret other-secret --signature "${_signature}" "${_fx}/platform/text.json")
  expect_run(webhook_decode_malformed_signature 2 "^$" "signature.malformed"
    webhook decode --secret app-secret --signature "sha1=00" "${_fx}/platform/text.json")
  # The whole line `webhook sign` prints is accepted as well as the bare value.
  string(STRIP "${_signed}" _signed_line)
  expect_run(webhook_decode_signed_line 0 "\"kind\":\"message\"" "^$"
    webhook decode --secret app-secret --signature "${_signed_line}" "${_fx}/platform/text.json")
  # A Twilio signature covers the URL: without --url it is a missing option, not a mismatch.
  expect_run(webhook_decode_twilio_no_url 2 "^$" "--signature with --format twilio needs --url"
    webhook decode --format twilio --secret s --signature abc "${_fx}/twilio/inbound_text.form")
else()
  # Built without OpenSSL: signatures are refused with a reason, never accepted.
  expect_run(webhook_sign_without_openssl 1 "^$" "signature.unavailable.*without OpenSSL[^\n]*cannot be made"
    webhook sign --secret app-secret "${_fx}/platform/text.json")
  expect_run(webhook_decode_signed_without_openssl 2 "^$" "signature.unavailable.*cannot be checked"
    webhook decode --secret app-secret --signature "sha256=00" "${_fx}/platform/text.json")
endif()
# A form body decoded as the platform's JSON: the error says which --format it needs.
expect_run(webhook_decode_form_hint 2 "^$" "this looks like a form body: add --format twilio"
  webhook decode "${_fx}/twilio/inbound_text.form")
expect_run(webhook_decode_bad_body 2 "^$"
  "^chatdesk webhook decode: \\[chatdesk.webhook.missing\\] entry\\[0\\].changes\\[0\\].value.messages\\[0\\]: 'id' is required"
  webhook decode "${_fx}/platform_bad/message_no_id.json")
expect_run(webhook_decode_statuses 0 "\"kind\":\"status\",\"id\":\"wamid.out1\",\"status\":\"sent\"[^\n]*\"pricing\":{\"billable\":true,\"pricing_model\":\"PMP\",\"type\":\"regular\",\"category\":\"utility\"}"
  "^$" webhook decode "${_fx}/platform/statuses.json")
expect_run(webhook_decode_twilio 0 "^{\"kind\":\"status\",\"id\":\"SM5\",\"status\":\"delivered\",\"recipient\":\"393331234567\",\"timestamp\":\"2025-10-01T10:00:00Z\""
  "^$" webhook decode --format twilio --received-at 2025-10-01T10:00:00Z "${_fx}/twilio/status_delivered.form")
expect_run(webhook_decode_zendesk 0 "\"kind\":\"agent_message\"[^\n]*\"author_name\":\"Giulia \\(support\\)\""
  "^$" webhook decode --format zendesk "${_fx}/zendesk/events.json")
expect_run(webhook_decode_missing_file 2 "^$" "nope.json' does not exist" webhook decode "${_fx}/nope.json")
expect_run(webhook_signature_without_secret 2 "^$" "--signature needs --secret"
  webhook decode --signature sha256=00 "${_fx}/platform/text.json")

# Untrusted input (issue 14): directories, endless and deeply nested input, odd characters, times
# from the future, empty secrets. Every one is bad input (exit 2) or a problem in the output, never a crash.

set(_scratch "${CMAKE_CURRENT_BINARY_DIR}/cli_scratch")
if(NOT CMAKE_CURRENT_BINARY_DIR)
  set(_scratch "${_root}/build/cli_scratch")
endif()
file(MAKE_DIRECTORY "${_scratch}")

expect_run(price_events_directory 2 "^$" "price: '[^']*tests' is a directory, not a file"
  price --rates "${_card_2025_file}" "${_root}/tests")
expect_run(price_card_directory 2 "^$" "is a directory, not a file" price --rates "${_root}/tests" "${_events}")
expect_run(forecast_plan_directory 2 "^$" "is a directory, not a file" forecast --rates "${_card}" "${_root}/tests")
expect_run(template_directory 2 "^$" "is a directory, not a file" template validate "${_root}/tests")
expect_run(webhook_decode_directory 2 "^$" "is a directory, not a file" webhook decode "${_root}/tests")
if(EXISTS /dev/zero)
  expect_run(webhook_decode_endless_file 2 "^$" "larger than the limit of 16 MiB" webhook decode /dev/zero)
  expect_run_input(webhook_decode_endless_stdin /dev/zero 2 "^$" "standard input is larger than the limit of 16 MiB"
    webhook decode -)
  expect_run(price_endless_card 2 "^$" "larger than the limit of 4 MiB" price --rates /dev/zero "${_events}")
endif()

string(REPEAT "{\"a\":" 120000 _open)
string(REPEAT "}" 120000 _close)
file(WRITE "${_scratch}/deep.json" "${_open}1${_close}")
expect_run(template_validate_deep 2 "^$" "template.json\\] '[^']*deep.json' nests arrays and objects deeper than 64 levels"
  template validate "${_scratch}/deep.json")
expect_run(template_render_deep 2 "^$" "deeper than 64 levels" template render "${_scratch}/deep.json")
file(READ "${_root}/tests/cli/data/order_update.json" _template)
string(REGEX REPLACE "^{" "{\"x_extra\":${_open}1${_close}," _deep_template "${_template}")
file(WRITE "${_scratch}/deep_unknown_field.json" "${_deep_template}")
expect_run(template_unknown_field_deep 2 "^$" "deeper than 64 levels" template validate "${_scratch}/deep_unknown_field.json")
expect_run(price_card_deep 2 "^$" "pricing.invalid_card.*deeper than 64 levels" price --rates "${_scratch}/deep.json" "${_events}")
expect_run(price_businesses_deep 2 "^$" "pricing.businesses.*deeper than 64 levels"
  price --rates "${_card_2025_file}" --businesses "${_scratch}/deep.json" "${_events}")
expect_run(forecast_plan_deep 2 "^$" "pricing.invalid_plan.*deeper than 64 levels" forecast --rates "${_card}" "${_scratch}/deep.json")
file(WRITE "${_scratch}/deep_script.jsonl" "${_open}1${_close}\n")
expect_run(simulate_deep_line 2 "\"code\":\"simulate.syntax\",\"reason\":\"the line nests deeper than 64 levels\"" "skipped"
  simulate "${_scratch}/deep_script.jsonl")

# A customer with an Arabic-Indic digit, an event stamped 9999-12-31, a line over 1 MiB: each a problem on its
# line; the lines after them are priced in order, and the invoice is valid JSON.
string(REPEAT "x" 1100000 _long)
file(WRITE "${_scratch}/hostile_events.jsonl"
  "{\"at\":\"2025-07-03T09:00:00Z\",\"type\":\"outbound\",\"business\":\"b1\",\"customer\":\"+39 333 ٣٣٣ 4567\",\"id\":\"x1\",\"kind\":\"template\",\"category\":\"marketing\"}\n"
  "{\"at\":\"9999-12-31T00:00:00Z\",\"type\":\"inbound\",\"business\":\"b1\",\"customer\":\"+393331234567\",\"id\":\"x2\"}\n"
  "{\"pad\":\"${_long}\"}\n"
  "{\"at\":\"2025-07-03T09:01:00Z\",\"type\":\"outbound\",\"business\":\"b1\",\"customer\":\"+393331234567\",\"id\":\"m1\",\"kind\":\"template\",\"category\":\"marketing\"}\n"
  "{\"at\":\"2025-07-03T09:02:00Z\",\"type\":\"status\",\"id\":\"m1\",\"status\":\"delivered\"}\n")
expect_run(price_hostile_lines 0
  "\"total\": \"0.0691\".*\"line\": 1,[^}]*\"code\": \"phone.invalid_character\",[^}]*\"reason\": \"'\\+39 333 ٣٣٣ 4567' contains '٣' where a digit was expected\".*\"line\": 2,[^}]*\"pricing.future_time\".*\"line\": 3,[^}]*\"input.line_too_long\""
  "3 line\\(s\\) skipped" price --rates "${_card_2025_file}" "${_scratch}/hostile_events.jsonl")

# An empty argument does not survive a CMake list, so this one runs directly.
execute_process(COMMAND "${CHATDESK}" webhook sign --secret "" "${_fx}/platform/text.json"
  RESULT_VARIABLE _status ERROR_VARIABLE _err OUTPUT_QUIET)
if(NOT _status EQUAL 2 OR NOT _err MATCHES "signature.no_secret")
  message(SEND_ERROR "webhook_sign_empty_secret: exit status ${_status}, stderr: ${_err}")
endif()
if(CHATDESK_WITH_OPENSSL)
  expect_run(webhook_decode_signature_not_hex 2 "^$" "hexadecimal digits after 'sha256=': character 8 is 'z'"
    webhook decode --secret app-secret
    --signature "sha256=z000000000000000000000000000000000000000000000000000000000000000" "${_fx}/platform/text.json")
endif()

# chatdesk payments: an order checked, created in a store, paid through a webhook, shipped, reconciled.
set(_pay "${CMAKE_CURRENT_BINARY_DIR}/chatdesk-cli-payments.db")
file(REMOVE "${_pay}" "${_pay}-wal" "${_pay}-shm")
set(_order "${_root}/examples/payments/order_india.json")
expect_run(payments_check 0 "\"subtotal\": {\n    \"currency\": \"INR\",\n    \"amount\": \"339.50\"\n  },\n  \"total\": {\n    \"currency\": \"INR\",\n    \"amount\": \"372.00\""
  "^$" payments check "${_order}" --at 2026-11-26T12:00:00Z)
expect_run(payments_check_expired 2 "^$" "order.expiration.timestamp: is 2026-11-26T12:05:00Z; it must be at least 300 s after now"
  payments check "${_order}" --at 2026-11-26T12:01:00Z)
expect_run(payments_check_bad_offset 2 "^$" "order.items\\[1\\].amount: an amount of value 9950 and offset 1000 in INR: INR amounts use offset 100"
  payments check "${_root}/tests/fuzz/corpus/fuzz_order/bad_offset")
expect_run(payments_check_not_json 2 "^$" "payments check: .*byte" payments check "${_root}/README.md")
expect_run(payments_setup 0 "\"event\":\"business\"" "^$" simulate "${_root}/examples/scripts/shop_india.jsonl" --store "${_pay}")
expect_run(payments_create 0 "^{\"type\":\"order_details\",\"body\":\"Your order\",\"parameters\":{\"reference_id\":\"CHAI-1001\",[^\n]*\"total_amount\":{\"value\":37200,\"offset\":100}"
  "^$" payments create --store "${_pay}" --business chai --customer "+91 98765 43210" --at 2026-11-26T12:00:00Z "${_order}")
expect_run(payments_create_again 2 "^$" "business 'chai' has an order 'CHAI-1001' already"
  payments create --store "${_pay}" --business chai --customer "+91 98765 43211" --at 2026-11-26T12:00:00Z "${_order}")
expect_run(payments_create_brazilian_customer 2 "^$" "INR orders are for customers with \\+91 numbers; this customer's number is \\+5511987654321"
  payments create --store "${_pay}" --business chai --customer "+55 11 98765 4321" --at 2026-11-26T12:00:00Z "${_order}")
expect_run(payments_apply 2
  "^{\"reference_id\":\"CHAI-1001\",\"status\":\"pending\",\"change\":\"advanced\"[^\n]*\n{\"reference_id\":\"CHAI-1001\",\"status\":\"captured\",\"change\":\"advanced\",[^\n]*\"captured\":{\"currency\":\"INR\",\"amount\":\"372.00\"}[^\n]*\n{[^\n]*\"error\":\"payments.unknown_order\"[^\n]*\n{[^\n]*\"error\":\"payments.unknown_payment_status\"[^\n]*\n$"
  "^$" payments apply --store "${_pay}" --business chai "${_fx}/platform/payments.json")
expect_run(payments_apply_retried 2 "\"status\":\"captured\",\"change\":\"duplicate\"" "^$"
  payments apply --store "${_pay}" --business chai "${_fx}/platform/payments.json")
expect_run(payments_apply_malformed 2 "^$" "'payment.reference_id' is required"
  payments apply --store "${_pay}" --business chai "${_fx}/platform_bad/payment_no_reference.json")
expect_run(payments_cancel_paid 2 "^$" "order 'CHAI-1001' cannot be canceled: its payment is captured"
  payments update --store "${_pay}" --business chai --reference CHAI-1001 --status canceled)
expect_run(payments_ship 0 "\"order\":{\"status\":\"shipped\",\"description\":\"By courier\"}" "^$"
  payments update --store "${_pay}" --business chai --reference CHAI-1001 --status shipped --description "By courier")
expect_run(payments_report_csv 0
  "^reference_id,customer,created,status,payment,currency,total,captured,transaction_id,failed_attempts,flags\r?\nCHAI-1001,\\+919876543210,2026-11-26T12:00:00Z,shipped,captured,INR,372.00,372.00,pay_01,0,\r?\n$"
  "^$" payments report --store "${_pay}" --business chai --from 2026-11-26 --zone Asia/Kolkata --format csv)
expect_run(payments_report_json 0 "\"captured\": \\[\n    {\n      \"currency\": \"INR\",\n      \"amount\": \"372.00\""
  "^$" payments report --store "${_pay}" --business chai --from 2026-11-01 --to 2026-11-30)
expect_run(payments_report_bad_zone 2 "^$" "Mars" payments report --store "${_pay}" --business chai --from 2026-11-26 --zone Mars/Base)
expect_run(payments_report_bad_day 2 "^$" "YYYY-MM-DD" payments report --store "${_pay}" --business chai --from 2026-13-01)

# chatdesk attribution: the same store, whose script's customers came from the home page's link and an ad.
expect_run(attribution_report_csv 0
  "^kind,id,conversations,answered_in_window,orders,paid_orders,paid\r?\nad,diwali-ad-7,1,0,0,0,\r?\nlink,page-home,2,2,1,1,372.00 INR\r?\n$"
  "^$" attribution report --store "${_pay}" --business chai --from 2026-11-26 --zone Asia/Kolkata --format csv)
expect_run(attribution_report_json 0 "\"kind\": \"link\",\n      \"id\": \"page-home\",\n      \"conversations\": 2,"
  "^$" attribution report --store "${_pay}" --business chai --from 2026-11-26)
expect_run(attribution_report_backwards 2 "^$" "the period ends \\(2026-11-01\\) before it starts \\(2026-11-26\\) \\(at to\\)"
  attribution report --store "${_pay}" --business chai --from 2026-11-26 --to 2026-11-01)
