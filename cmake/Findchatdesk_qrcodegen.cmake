# Finds Nayuki's QR Code generator, the C++ library (qrcodegen.hpp), and
# defines the imported target chatdesk_qrcodegen::qrcodegen: Conan's and
# vcpkg's packages when their CMake files are there, else the header and the
# library by name (Debian's libqrcodegencpp-dev).
if(TARGET chatdesk_qrcodegen::qrcodegen)
  set(chatdesk_qrcodegen_FOUND TRUE)
  return()
endif()
find_package(qr-code-generator CONFIG QUIET)                     # Conan
find_package(unofficial-nayuki-qr-code-generator CONFIG QUIET)   # vcpkg
if(TARGET qr-code-generator::qr-code-generator)
  add_library(chatdesk_qrcodegen::qrcodegen INTERFACE IMPORTED)
  target_link_libraries(chatdesk_qrcodegen::qrcodegen INTERFACE qr-code-generator::qr-code-generator)
  set(chatdesk_qrcodegen_FOUND TRUE)
  return()
endif()
if(TARGET unofficial::nayuki-qr-code-generator::nayuki-qr-code-generator)
  add_library(chatdesk_qrcodegen::qrcodegen INTERFACE IMPORTED)
  target_link_libraries(chatdesk_qrcodegen::qrcodegen INTERFACE
    unofficial::nayuki-qr-code-generator::nayuki-qr-code-generator)
  set(chatdesk_qrcodegen_FOUND TRUE)
  return()
endif()
find_path(chatdesk_qrcodegen_INCLUDE_DIR qrcodegen.hpp
  PATH_SUFFIXES qrcodegen qrcodegencpp nayuki-qr-code-generator)
find_library(chatdesk_qrcodegen_LIBRARY NAMES qrcodegencpp nayuki-qr-code-generator qr-code-generator)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(chatdesk_qrcodegen
  REQUIRED_VARS chatdesk_qrcodegen_LIBRARY chatdesk_qrcodegen_INCLUDE_DIR)
if(chatdesk_qrcodegen_FOUND)
  add_library(chatdesk_qrcodegen::qrcodegen UNKNOWN IMPORTED)
  set_target_properties(chatdesk_qrcodegen::qrcodegen PROPERTIES
    IMPORTED_LOCATION "${chatdesk_qrcodegen_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${chatdesk_qrcodegen_INCLUDE_DIR}")
endif()
mark_as_advanced(chatdesk_qrcodegen_INCLUDE_DIR chatdesk_qrcodegen_LIBRARY)
