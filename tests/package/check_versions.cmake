# Checks that every packaging file carries the CMake project version.
# Usage: cmake -DSOURCE_DIR=<dir> -DVERSION=<x.y.z> -P check_versions.cmake
function(check_file path regex)
  file(READ "${SOURCE_DIR}/${path}" content)
  if(NOT content MATCHES "${regex}")
    message(SEND_ERROR "${path}: no version found with '${regex}'")
    return()
  endif()
  if(NOT CMAKE_MATCH_1 STREQUAL VERSION)
    message(SEND_ERROR "${path} says ${CMAKE_MATCH_1}, the project is ${VERSION}")
  else()
    message(STATUS "${path}: ${CMAKE_MATCH_1}")
  endif()
endfunction()

check_file(vcpkg.json "\"version-semver\": *\"([0-9.]+)\"")
check_file(ports/chatdesk/vcpkg.json "\"version-semver\": *\"([0-9.]+)\"")
check_file(conanfile.py "version *= *\"([0-9.]+)\"")
check_file(CHANGELOG.md "## \\[([0-9.]+)\\]")
