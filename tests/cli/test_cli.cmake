# Runs the chatdesk program and checks its output, exit status and stderr.
# Usage: cmake -DCHATDESK=<path> -P test_cli.cmake
function(expect_run name expected_status expected_out_regex expected_err_regex)
  execute_process(COMMAND "${CHATDESK}" ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
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

expect_run(phone_italy 0
  "^{\"input\":\"\\+39 333 123 4567\",\"e164\":\"\\+393331234567\",\"calling_code\":\"39\",\"country\":\"IT\",\"market\":\"Italy\",\"click_to_chat\":\"393331234567\"}\n$"
  "^$" phone "+39 333 123 4567")
expect_run(phone_us_national 0
  "\"e164\":\"\\+14155551234\",\"calling_code\":\"1\",\"country\":\"US\",\"market\":\"North America\",\"click_to_chat\":\"14155551234\""
  "^$" phone "(415) 555-1234" --region US)
expect_run(phone_dominican 0 "\"country\":\"DO\",\"market\":\"Rest of Latin America\"" "^$" phone "whatsapp:+18095551234")
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
