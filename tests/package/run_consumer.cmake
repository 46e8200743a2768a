# Installs the build tree into a scratch prefix, then configures, builds and
# runs tests/package/consumer against it with find_package(chatdesk CONFIG).
# Usage: cmake -DBUILD_DIR=... -DWORK_DIR=... -DCONSUMER_DIR=... -DGENERATOR=... -DCXX=... -P run_consumer.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")
foreach(f include/chatdesk/chatdesk.hpp include/chatdesk/core/money.hpp bin/chatdesk)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "the install is missing ${f}")
  endif()
endforeach()
file(GLOB_RECURSE config "${prefix}/*/chatdeskConfig.cmake")
file(GLOB_RECURSE config_version "${prefix}/*/chatdeskConfigVersion.cmake")
file(GLOB_RECURSE pc "${prefix}/*/pkgconfig/chatdesk.pc")
if(NOT config OR NOT config_version OR NOT pc)
  message(FATAL_ERROR "the install lacks chatdeskConfig.cmake, its version file or chatdesk.pc")
endif()

run("${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
  "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX}" -DCMAKE_BUILD_TYPE=Release)
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/build")
run("${WORK_DIR}/build/consumer")
if(NOT last_output MATCHES "\\+393331234567 IT Italy 12.30 USD pmp_2025")
  message(FATAL_ERROR "the consumer printed something unexpected:\n${last_output}")
endif()
message(STATUS "consumer: ${last_output}")
# The installed program runs from the prefix alone (a shared build finds its library by RPATH).
run("${prefix}/bin/chatdesk" phone "+39 333 123 4567")
if(NOT last_output MATCHES "\"e164\":\"\\+393331234567\"")
  message(FATAL_ERROR "the installed program printed something unexpected:\n${last_output}")
endif()

# The pkg-config file: compile and run the same consumer with its flags alone.
find_program(PKG_CONFIG_EXECUTABLE pkg-config)
if(PKG_CONFIG_EXECUTABLE)
  get_filename_component(pc_dir "${pc}" DIRECTORY)
  set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
  execute_process(COMMAND "${PKG_CONFIG_EXECUTABLE}" --cflags --libs chatdesk
    RESULT_VARIABLE status OUTPUT_VARIABLE flags ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "pkg-config cannot use chatdesk.pc: ${err}")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run("${CXX}" -std=c++20 "${CONSUMER_DIR}/main.cpp" -o "${WORK_DIR}/consumer_pc" ${flags})
  # A shared libchatdesk is found where pkg-config says it is.
  execute_process(COMMAND "${PKG_CONFIG_EXECUTABLE}" --variable=libdir chatdesk OUTPUT_VARIABLE libdir
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  run("${CMAKE_COMMAND}" -E env "LD_LIBRARY_PATH=${libdir}" "${WORK_DIR}/consumer_pc")
  if(NOT last_output MATCHES "\\+393331234567 IT Italy 12.30 USD")
    message(FATAL_ERROR "the pkg-config consumer printed something unexpected:\n${last_output}")
  endif()
  message(STATUS "pkg-config consumer: ${last_output}")
endif()
