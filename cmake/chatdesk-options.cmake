# Per-target build settings for chatdesk's own targets. Nothing here is forced
# on a project that consumes chatdesk.

# chatdesk_set_warnings(<target>): the project's warning level.
function(chatdesk_set_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive-)
    if(CHATDESK_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
      -Wconversion -Wsign-conversion -Wnon-virtual-dtor -Wold-style-cast
      -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
    # Not -Wnull-dereference: with GCC 12 at -O3 it reports false positives inside libstdc++.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12)
      # GCC 12's -Wrestrict misfires on std::string at -O3 (GCC bug 105329).
      target_compile_options(${target} PRIVATE -Wno-restrict)
    endif()
    if(CHATDESK_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()

# chatdesk_set_sanitizers(<target>): the sanitizers named in CHATDESK_SANITIZE.
function(chatdesk_set_sanitizers target)
  if(CHATDESK_SANITIZE STREQUAL "")
    return()
  endif()
  string(REPLACE ";" "," _list "${CHATDESK_SANITIZE}")
  target_compile_options(${target} PRIVATE -fsanitize=${_list} -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  target_link_options(${target} PRIVATE -fsanitize=${_list})
endfunction()

# chatdesk_own_target(<target>): warnings and sanitizers for a target of ours.
function(chatdesk_own_target target)
  chatdesk_set_warnings(${target})
  chatdesk_set_sanitizers(${target})
  if(CHATDESK_FUZZ)
    # Coverage instrumentation everywhere, so libFuzzer sees the library's branches.
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
  target_compile_features(${target} PUBLIC cxx_std_20)
endfunction()

