# Install rules: headers, the library, the chatdesk program, a CMake package
# (chatdeskConfig.cmake, its version file and the exported targets) and a
# pkg-config file.
include(CMakePackageConfigHelpers)

set(CHATDESK_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/chatdesk" CACHE STRING
  "Where chatdeskConfig.cmake is installed (vcpkg and Conan override it)")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/chatdesk"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT chatdesk_development)

install(TARGETS chatdesk EXPORT chatdeskTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT chatdesk_development
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT chatdesk_runtime
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT chatdesk_runtime
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

if(TARGET chatdesk_cli)
  install(TARGETS chatdesk_cli RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT chatdesk_runtime)
endif()

install(EXPORT chatdeskTargets NAMESPACE chatdesk:: FILE chatdeskTargets.cmake
  DESTINATION "${CHATDESK_INSTALL_CMAKEDIR}" COMPONENT chatdesk_development)

set(CHATDESK_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/chatdesk")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/chatdeskConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/chatdeskConfig.cmake"
  INSTALL_DESTINATION "${CHATDESK_INSTALL_CMAKEDIR}"
  PATH_VARS CHATDESK_INSTALL_DATADIR)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/chatdeskConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/chatdeskConfig.cmake" "${PROJECT_BINARY_DIR}/chatdeskConfigVersion.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/Findchatdesk_qrcodegen.cmake"
  DESTINATION "${CHATDESK_INSTALL_CMAKEDIR}" COMPONENT chatdesk_development)

# pkg-config: the library and the dependencies that also ship .pc files.
set(CHATDESK_PC_REQUIRES "fmt nlohmann_json simdjson absl_flat_hash_map absl_hash absl_btree absl_int128 absl_inlined_vector sqlite3")
if(CHATDESK_WITH_OPENSSL)
  string(APPEND CHATDESK_PC_REQUIRES " libcrypto")
endif()
if(CHATDESK_WITH_POSTGRES)
  string(APPEND CHATDESK_PC_REQUIRES " libpq")
endif()
if(CHATDESK_WITH_QR)
  string(APPEND CHATDESK_PC_REQUIRES " qrcodegencpp")
endif()
# Relocatable: the prefix is found relative to the .pc file itself.
file(RELATIVE_PATH CHATDESK_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file("${PROJECT_SOURCE_DIR}/cmake/chatdesk.pc.in" "${PROJECT_BINARY_DIR}/chatdesk.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/chatdesk.pc"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig" COMPONENT chatdesk_development)

# Sample rate cards (found by programs through chatdesk_DATADIR), and the documentation.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/data/rate_cards"
  DESTINATION "${CHATDESK_INSTALL_DATADIR}" COMPONENT chatdesk_runtime)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/"
  DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT chatdesk_runtime)
