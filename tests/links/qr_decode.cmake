# Draws QR codes with `chatdesk link --qr svg`, renders each SVG with a real
# renderer (rsvg-convert), decodes the picture with a real decoder (zbarimg),
# and checks that it reads back exactly the link `chatdesk link` prints.
# Usage: cmake -DCHATDESK=<program> -DWORK_DIR=<dir> -P qr_decode.cmake
foreach(_tool rsvg-convert zbarimg)
  string(MAKE_C_IDENTIFIER "${_tool}" _var)
  find_program(_${_var} ${_tool})
  if(NOT _${_var})
    message(FATAL_ERROR "qr_decode: ${_tool} is missing (scripts/deps.sh test installs librsvg2-bin and zbar-tools)")
  endif()
endforeach()
file(MAKE_DIRECTORY "${WORK_DIR}")

set(_count 0)
function(check_qr name ecc)
  execute_process(COMMAND "${CHATDESK}" link ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE link
    ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(SEND_ERROR "${name}: chatdesk link failed: ${err}")
    return()
  endif()
  string(STRIP "${link}" link)
  set(svg "${WORK_DIR}/${name}.svg")
  set(png "${WORK_DIR}/${name}.png")
  execute_process(COMMAND "${CHATDESK}" link ${ARGN} --qr svg --ecc ${ecc} OUTPUT_FILE "${svg}"
    RESULT_VARIABLE status ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(SEND_ERROR "${name}: chatdesk link --qr svg failed: ${err}")
    return()
  endif()
  execute_process(COMMAND "${_rsvg_convert}" "${svg}" -o "${png}" RESULT_VARIABLE status ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(SEND_ERROR "${name}: rsvg-convert could not render the SVG: ${err}")
    return()
  endif()
  execute_process(COMMAND "${_zbarimg}" -q --raw "${png}" RESULT_VARIABLE status OUTPUT_VARIABLE read
    ERROR_QUIET)
  string(REGEX REPLACE "\n$" "" read "${read}")
  if(NOT status EQUAL 0 OR NOT read STREQUAL link)
    message(SEND_ERROR "${name}: zbarimg read '${read}' (status ${status}), the link is '${link}'")
  endif()
endfunction()

check_qr(plain L "+39 055 123 4567")
check_qr(text_medium M "+39 055 123 4567" --text "Ciao! Vorrei 2 caffè & 1 cornetto #42 😀")
check_qr(ref_quartile Q "(415) 555-1234" --region US --text "Hi there, order 1042?" --ref spring-26)
check_qr(legacy_high H "+44 7700 900123" --legacy --text "Hello\nsecond line")
string(REPEAT "Lorem ipsum dolor sit amet, " 20 _long)
check_qr(long_text L "+39 055 123 4567" --text "${_long}")
