"""Conan 2 recipe for chatdesk: conan create . (or conan install . for development)."""
import os

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, rmdir


class ChatdeskConan(ConanFile):
    name = "chatdesk"
    version = "0.1.0"
    license = "MIT"
    description = "Embeddable C++ library for customer-service chat on a WhatsApp-Business-style platform"
    topics = ("whatsapp", "chat", "customer-service", "pricing", "webhooks")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {
        "shared": [True, False],
        "fPIC": [True, False],
        "with_openssl": [True, False],
        "with_postgres": [True, False],
        "with_qr": [True, False],
    }
    default_options = {
        "shared": False,
        "fPIC": True,
        "with_openssl": True,
        "with_postgres": True,
        "with_qr": True,
        # date's default downloads the tz database with libcurl; use the OS one.
        "date/*:header_only": False,
        "date/*:tz_db": "system",
    }
    exports_sources = ("CMakeLists.txt", "cmake/*", "include/*", "src/*", "tools/*", "LICENSE")

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        # Public headers include fmt, nlohmann/json and date.
        self.requires("fmt/[>=9 <13]", transitive_headers=True, transitive_libs=True)
        self.requires("nlohmann_json/[>=3.10 <4]", transitive_headers=True)
        self.requires("date/[>=3.0.1 <4]", transitive_headers=True, transitive_libs=True)
        self.requires("simdjson/[>=3 <4]")
        self.requires("abseil/[>=20220623]")
        self.requires("sqlite3/[>=3.24 <4]")
        self.requires("cli11/[>=2.1 <3]", visible=False)
        if self.options.with_openssl:
            self.requires("openssl/[>=3 <4]")
        if self.options.with_postgres:
            self.requires("libpq/[>=12]")
        if self.options.with_qr:
            self.requires("qr-code-generator/[>=1.8 <2]")

    def build_requirements(self):
        self.test_requires("catch2/[>=3 <4]")

    def validate(self):
        check_min_cppstd(self, 20)

    def generate(self):
        tc = CMakeToolchain(self)
        tc.cache_variables["CHATDESK_BUILD_TESTS"] = False
        tc.cache_variables["CHATDESK_BUILD_EXAMPLES"] = False
        tc.cache_variables["CHATDESK_BUILD_BENCH"] = False
        tc.cache_variables["CHATDESK_INSTALL"] = True
        tc.cache_variables["CHATDESK_WITH_OPENSSL"] = bool(self.options.with_openssl)
        tc.cache_variables["CHATDESK_WITH_POSTGRES"] = bool(self.options.with_postgres)
        tc.cache_variables["CHATDESK_WITH_QR"] = bool(self.options.with_qr)
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        cmake = CMake(self)
        cmake.install()
        # Conan writes its own CMake and pkg-config files.
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "chatdesk")
        self.cpp_info.set_property("cmake_target_name", "chatdesk::chatdesk")
        self.cpp_info.set_property("pkg_config_name", "chatdesk")
        self.cpp_info.libs = ["chatdesk"]
        self.cpp_info.requires = ["fmt::fmt", "nlohmann_json::nlohmann_json", "date::date-tz", "simdjson::simdjson",
                                  "abseil::absl_flat_hash_map", "abseil::absl_hash", "abseil::absl_btree",
                                  "abseil::absl_int128", "abseil::absl_inlined_vector", "sqlite3::sqlite3"]
        if self.options.with_openssl:
            self.cpp_info.defines.append("CHATDESK_WITH_OPENSSL=1")
            self.cpp_info.requires.append("openssl::crypto")
        if self.options.with_postgres:
            self.cpp_info.defines.append("CHATDESK_WITH_POSTGRES=1")
            self.cpp_info.requires.append("libpq::libpq")
        if self.options.with_qr:
            self.cpp_info.requires.append("qr-code-generator::qr-code-generator")
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread", "m"]
