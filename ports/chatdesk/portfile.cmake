# vcpkg overlay port for chatdesk: vcpkg install chatdesk --overlay-ports=ports
# Builds from this source tree (CHATDESK_SOURCE_DIR overrides it), since the
# project is not published in a registry.
if(DEFINED ENV{CHATDESK_SOURCE_DIR})
  set(SOURCE_PATH "$ENV{CHATDESK_SOURCE_DIR}")
else()
  get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
endif()

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    openssl CHATDESK_WITH_OPENSSL
    postgres CHATDESK_WITH_POSTGRES
    qr CHATDESK_WITH_QR
)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${FEATURE_OPTIONS}
    -DCHATDESK_BUILD_TESTS=OFF
    -DCHATDESK_BUILD_EXAMPLES=OFF
    -DCHATDESK_BUILD_BENCH=OFF
    -DCHATDESK_BUILD_TOOLS=ON
    -DCHATDESK_INSTALL=ON
    -DCHATDESK_INSTALL_CMAKEDIR=share/chatdesk
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME chatdesk CONFIG_PATH share/chatdesk)
vcpkg_fixup_pkgconfig()
vcpkg_copy_tools(TOOL_NAMES chatdesk AUTO_CLEAN)
vcpkg_copy_pdbs()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
