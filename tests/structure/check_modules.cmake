# Modules depend one way. Each module has a level; a module's headers
# (include/chatdesk/<module>/) and sources (src/<module>/) may include its own
# headers and those of modules on lower levels only, never a sibling on the
# same level nor anything above:
#
#   core <- model <- templates, rules, links <- engine, pricing, wire <- feed, store <- support, payments
#        <- attribution
#
# links stands on core and model; payments keeps its orders in the desk's store
# and reads decoded webhooks, so it stands beside support, above feed and store.
# attribution reads the desk, links' reference tokens and the payments' orders.
# A new module is refused until it is given a level here.
#
# Usage: cmake -DSOURCE_DIR=<tree> -P check_modules.cmake
set(_level_core 0)
set(_level_model 1)
set(_level_templates 2)
set(_level_rules 2)
set(_level_links 2)
set(_level_payments 5)
set(_level_engine 3)
set(_level_pricing 3)
set(_level_wire 3)
set(_level_feed 4)
set(_level_store 4)
set(_level_support 5)
set(_level_attribution 6)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "check_modules: SOURCE_DIR is not set")
endif()

set(_problems "")
set(_checked 0)
file(GLOB _module_dirs LIST_DIRECTORIES true "${SOURCE_DIR}/include/chatdesk/*" "${SOURCE_DIR}/src/*")
foreach(_dir IN LISTS _module_dirs)
  if(NOT IS_DIRECTORY "${_dir}")
    continue()
  endif()
  get_filename_component(_module "${_dir}" NAME)
  if(NOT DEFINED _level_${_module})
    list(APPEND _problems "${_dir}: module '${_module}' has no level in tests/structure/check_modules.cmake")
    continue()
  endif()
  set(_own ${_level_${_module}})
  file(GLOB_RECURSE _files "${_dir}/*.hpp" "${_dir}/*.cpp" "${_dir}/*.h")
  foreach(_file IN LISTS _files)
    math(EXPR _checked "${_checked} + 1")
    file(STRINGS "${_file}" _includes REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]")
    foreach(_line IN LISTS _includes)
      set(_target "")
      if(_line MATCHES "[\"<]chatdesk/([a-z_]+)/")
        set(_target "${CMAKE_MATCH_1}")
      elseif(_line MATCHES "\"\\.\\./([a-z_]+)/")
        set(_target "${CMAKE_MATCH_1}")
      endif()
      if(_target STREQUAL "" OR _target STREQUAL _module)
        continue()
      endif()
      file(RELATIVE_PATH _rel "${SOURCE_DIR}" "${_file}")
      if(NOT DEFINED _level_${_target})
        list(APPEND _problems "${_rel}: includes module '${_target}', which has no level")
      elseif(NOT _level_${_target} LESS _own)
        list(APPEND _problems
          "${_rel}: module '${_module}' must not include '${_target}' (${_line}): dependencies point one way")
      endif()
    endforeach()
  endforeach()
endforeach()

if(_problems)
  list(JOIN _problems "\n" _text)
  message(FATAL_ERROR "module order broken:\n${_text}")
endif()
if(_checked EQUAL 0)
  message(FATAL_ERROR "check_modules: no sources found under ${SOURCE_DIR}")
endif()
message(STATUS "module order kept in ${_checked} files")
